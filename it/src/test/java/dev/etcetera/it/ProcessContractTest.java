package dev.etcetera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.LoopbackPorts;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The launcher contract the harness relies on, for the subject (member, or etcd while no member exists):
 * ready exactly once, graceful stop on SIGTERM keeping the PID, and a non-zero exit with a message when the
 * client port is taken.
 */
class ProcessContractTest {
    @Test
    void startsStopsGracefullyAndRestartsOnTheSameDataDir() throws Exception {
        try (ServerProcess server = ServerPair.newSubject("contract")) {
            server.start();
            long pid = server.pid();
            assertTrue(ProcessHandle.of(pid).isPresent());
            if (server instanceof MemberProcess member) {
                assertEquals(1, member.readyLineCount(), "exactly one '" + MemberProcess.READY_LINE + "' line");
            }
            int code = server.stop();
            assertFalse(server.lastStopEscalated(), "SIGTERM honoured within " + ServerProcess.STOP_GRACE);
            // 0, or 128+15 when the runtime re-raises SIGTERM after its shutdown hooks (etcd and the JVM do)
            assertTrue(code == 0 || code == 143, "exit code after SIGTERM: " + code);
            assertFalse(server.alive());
            assertTrue(Files.isDirectory(server.dataDir()), "data dir kept across stop");
            server.start();
            assertNotEquals(pid, server.pid());
        }
    }

    @Test
    void refusesToStartWhenTheClientPortIsTaken() throws Throwable {
        KnownDifferences.check("launcher-port-clash", ServerPair.memberWanted(), this::clientPortClash);
    }

    private void clientPortClash() throws Exception {
        // The occupant's port has free +10000/+20000 companions, so a member can fail only on the client port.
        try (EtcdProcess occupant = new EtcdProcess("occupant", LoopbackPorts.clientPort(), LoopbackPorts.port(), null)) {
            occupant.start();
            try (ServerProcess clash = ServerPair.memberWanted()
                    ? new MemberProcess("clash", occupant.clientPort(), LoopbackPorts.port(), null)
                    : new EtcdProcess("clash", occupant.clientPort(), LoopbackPorts.port(), null)) {
                IllegalStateException e = assertThrows(IllegalStateException.class, clash::start);
                assertTrue(e.getMessage().contains("exited with code"), "should exit, not hang: " + e.getMessage());
                assertFalse(e.getMessage().contains("exited with code 0"), e.getMessage());
                assertFalse(clash.alive());
                assertTrue(Files.size(clash.stdoutLog()) + Files.size(clash.stderrLog()) > 0,
                        "a message explains the failure (logs are empty)");
            }
            assertTrue(occupant.alive(), "the occupant is untouched");
        }
    }
}
