package dev.etcetera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

/**
 * Proves the harness can fail: a differential run notices a different value, a different revision and a
 * different error; ports come with free companions; a server that cannot start is reported with its exit code
 * and log; kill -9 and close leave no process and no data dir.
 */
@ExtendWith(SharedServers.class)
class HarnessSelfTest {
    private static boolean reference(Steps s) {
        return s.sideLabel().equals("etcd");
    }

    @Test
    void differentialRunFailsOnADifferentValue(ServerPair pair) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Differential.run(pair, "self-value",
                s -> s.ctl("put", "self", reference(s) ? "a" : "b").ctl("get", "self")));
        assertTrue(e.getMessage().contains("-   | a") && e.getMessage().contains("+   | b"), e.getMessage());
    }

    @Test
    void differentialRunFailsOnADifferentRevision(ServerPair pair) {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Differential.run(pair, "self-revision",
                s -> {
                    if (!reference(s)) {
                        s.ctlOnce("put", "extra", "1");
                    }
                    s.ctlOnce("put", "self", "v", "-w", "json");
                }));
        assertTrue(e.getMessage().contains("\"revision\":"), e.getMessage());
        // the next scenario starts level again
        Differential.run(pair, "self-level", s -> s.ctl("put", "self", "v").ctl("get", "self"));
    }

    @Test
    void differentialRunFailsOnADifferentError(ServerPair pair) {
        assertThrows(AssertionFailedError.class, () -> Differential.run(pair, "self-error",
                s -> s.ctlOnce("get", "k", "--rev", reference(s) ? s.rev(1000) : "0")));
    }

    @Test
    void clientPortsComeWithFreeCompanions() {
        int a = LoopbackPorts.clientPort();
        int b = LoopbackPorts.clientPort();
        assertNotEquals(a, b);
        for (int p : new int[] {a, b}) {
            assertTrue(LoopbackPorts.free(p) && LoopbackPorts.free(p + LoopbackPorts.PAYARA_HTTP_OFFSET)
                    && LoopbackPorts.free(p + LoopbackPorts.HAZELCAST_OFFSET), "port " + p + " and companions free");
            assertTrue(p + LoopbackPorts.HAZELCAST_OFFSET < 65536);
        }
    }

    @Test
    void aServerThatCannotStartIsReportedWithExitCodeAndLog() throws Exception {
        Path notADir = Files.createTempFile("etcetera-it-not-a-dir", ".txt");
        try (EtcdProcess broken = new EtcdProcess("broken", LoopbackPorts.port(), LoopbackPorts.port(), notADir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, broken::start);
            assertTrue(e.getMessage().contains("exited with code"), e.getMessage());
            assertTrue(e.getMessage().contains("tail of"), "log tail in the message: " + e.getMessage());
            assertFalse(broken.alive());
        } finally {
            Files.deleteIfExists(notADir);
        }
    }

    @Test
    void kill9AndCloseLeaveNothingBehind() {
        Path dataDir;
        long pid;
        try (EtcdProcess etcd = new EtcdProcess("leak-check")) {
            etcd.start();
            pid = etcd.pid();
            dataDir = etcd.dataDir();
            assertTrue(Files.isDirectory(dataDir.resolve("member")), "etcd wrote its data dir");
            etcd.kill9();
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " gone after kill9");
            etcd.start();
            assertEquals(dataDir, etcd.dataDir());
            pid = etcd.pid();
        }
        long finalPid = pid;
        assertFalse(ProcessHandle.of(finalPid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " gone after close");
        assertFalse(Files.exists(dataDir), "temp data dir deleted by close");
    }
}
