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
 * <p>Every port handed out lies below the kernel's ephemeral range ({@code ip_local_port_range}, by default
 * 32768-60999): a port from inside it can be taken, between the probe and the server's bind, as the source
 * port of any outgoing connection on the host (each curl, etcdctl or HTTP probe opens one), and the member
 * then fails to start. CI once lost a run that way, or a way like it: a member whose Payara listener was
 * meant to be at 33433 exited during start.
 *
 * <p>The probe binds both 127.0.0.1 and the wildcard address: Hazelcast may bind the wildcard.
 * Thread-safe.
 */
public final class LoopbackPorts {
    public static final int PAYARA_HTTP_OFFSET = 10000;
    public static final int HAZELCAST_OFFSET = 20000;
    /** Lowest port handed out: above the well-known range and the usual service ports (2379, 5432, ...). */
    private static final int LOW = 5000;
    /** Ports handed out stay below this: the first ephemeral port of the host. */
    private static final int HIGH = ephemeralLow();
    /** Client ports come from [LOW, CLIENT_HIGH) so that P + 20000 stays below HIGH too. */
    private static final int CLIENT_HIGH = HIGH - HAZELCAST_OFFSET;

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private LoopbackPorts() {
    }

    /** A client port whose +10000 and +20000 companions are free too. */
    public static synchronized int clientPort() {
        return pick(CLIENT_HIGH, PAYARA_HTTP_OFFSET, HAZELCAST_OFFSET);
    }

    /** A single free port (peer port). */
    public static synchronized int port() {
        return pick(HIGH);
    }

    /**
     * The first port of the kernel's ephemeral range; 32768 (Linux's default) if it cannot be read. A range
     * starting so low that no client port with its companions fits below it is a host this harness does not
     * support, and says so.
     */
    private static int ephemeralLow() {
        int low = 32768;
        // readLine, not Files.readString: procfs files report size 0, and readString returned one byte ("3")
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(
                java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String line = in.readLine();
            low = Integer.parseInt(line.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            System.err.println("[it-harness] cannot read the ephemeral port range (" + e + "); assuming it starts at " + low);
        }
        if (low - HAZELCAST_OFFSET <= LOW + 1000) {
            throw new IllegalStateException("the ephemeral port range starts at " + low
                    + ": too low to keep a member's ports (client, +" + PAYARA_HTTP_OFFSET + ", +" + HAZELCAST_OFFSET
                    + ") out of it; raise net.ipv4.ip_local_port_range");
        }
        return low;
    }

    private static int pick(int high, int... companions) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 2000; attempt++) {
            int p = LOW + random.nextInt(high - LOW);
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
        throw new IllegalStateException("no free loopback port (with companions) found in [" + LOW + ", " + high + ")");
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
