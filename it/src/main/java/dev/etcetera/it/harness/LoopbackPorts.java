package dev.etcetera.it.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks free loopback ports. A member's client port {@code P} comes with two more ports that Payara opens:
 * {@code P + 10000} (its own HTTP listener) and {@code P + 20000} (Hazelcast), so a client port is handed out
 * only when all three are free. Ports handed out by this JVM are remembered and never handed out twice, since
 * a port is free again between the probe and the server's bind.
 *
 * <p>The probe binds both 127.0.0.1 and the wildcard address: Hazelcast may bind the wildcard.
 * Thread-safe.
 */
public final class LoopbackPorts {
    /** Client ports come from [LOW, HIGH) so that P + 20000 stays below 65536. */
    private static final int LOW = 21000;
    private static final int HIGH = 45000;
    public static final int PAYARA_HTTP_OFFSET = 10000;
    public static final int HAZELCAST_OFFSET = 20000;

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private LoopbackPorts() {
    }

    /** A client port whose +10000 and +20000 companions are free too. */
    public static synchronized int clientPort() {
        return pick(PAYARA_HTTP_OFFSET, HAZELCAST_OFFSET);
    }

    /** A single free port (peer port). */
    public static synchronized int port() {
        return pick();
    }

    private static int pick(int... companions) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 2000; attempt++) {
            int p = LOW + random.nextInt(HIGH - LOW);
            if (!usable(p)) {
                continue;
            }
            boolean ok = true;
            for (int offset : companions) {
                if (!usable(p + offset)) {
                    ok = false;
                    break;
                }
            }
            if (!ok) {
                continue;
            }
            HANDED_OUT.add(p);
            for (int offset : companions) {
                HANDED_OUT.add(p + offset);
            }
            return p;
        }
        throw new IllegalStateException("no free loopback port (with companions) found in [" + LOW + ", " + HIGH + ")");
    }

    private static boolean usable(int port) {
        return !HANDED_OUT.contains(port) && free(port);
    }

    /** True if nothing listens on {@code port} on loopback or the wildcard address right now. */
    public static boolean free(int port) {
        return bindable(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                && bindable(new InetSocketAddress(port));
    }

    private static boolean bindable(InetSocketAddress address) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(address);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
