package dev.etcetera.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.LoopbackPorts;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * The launcher contract for the subject (member, or etcd while no member exists): a non-zero exit with a
 * message when the client port is taken. (One ready line per start and the graceful SIGTERM stop are checked at
 * the end of {@link CrashRecoveryTest}, which already pays for a member start and restart.)
 */
class ProcessContractTest {
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
