package dev.etcetera.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.http.http2.ConnectionFlowControl;
import io.helidon.http.http2.FlowControl;
import io.helidon.http.http2.Http2ConnectionWriter;
import io.helidon.http.http2.Http2Flag;
import io.helidon.http.http2.Http2FrameData;
import io.helidon.http.http2.Http2FrameHeader;
import io.helidon.http.http2.Http2FrameTypes;
import io.helidon.http.http2.Http2Headers;
import io.helidon.http.http2.Http2StreamWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The connection's DATA writer ({@link DataWrites} behind {@link GrpcOverHttp2.WindowSafeWriter}), against
 * a connection writer that records what reaches the "socket" and can hold the first socket write, so that
 * the writer role is provably busy while other streams write. Helidon's own flow control is used.
 * Deterministic: no timing, only bounded waits for threads that are expected to finish or to park.
 */
class DataWritesTest {
    private static final long WAIT_SECONDS = 10;

    /** One frame as it appeared on the wire, or a HEADERS write (payload null). */
    private record Seen(char kind, int streamId, byte[] payload) {
        @Override
        public String toString() {
            return kind + "" + streamId + (payload == null ? "" : "(" + payload.length + ")");
        }
    }

    /** The connection writer: records socket writes in order; the first one may be held at a gate. */
    private static final class Connection implements Http2StreamWriter {
        final List<Seen> seen = new ArrayList<>();
        int socketWrites;
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch gate;
        final RuntimeException failWith;

        Connection(boolean holdFirstWrite, RuntimeException failWith) {
            this.gate = new CountDownLatch(holdFirstWrite ? 1 : 0);
            this.failWith = failWith;
        }

        @Override
        public void write(Http2FrameData frame) {
            passGate(entered, gate);
            if (failWith != null) {
                throw failWith;
            }
            BufferData header = frame.header().write();
            byte[] h = new byte[header.available()];
            header.read(h);
            byte[] d = new byte[frame.data().available()];
            frame.data().read(d);
            byte[] wire = new byte[h.length + d.length];
            System.arraycopy(h, 0, wire, 0, h.length);
            System.arraycopy(d, 0, wire, h.length, d.length);
            synchronized (this) {
                socketWrites++;
                // parse the bytes as HTTP/2 frames: they must be whole frames one after the other
                int at = 0;
                while (at < wire.length) {
                    int len = ((wire[at] & 0xff) << 16) | ((wire[at + 1] & 0xff) << 8) | (wire[at + 2] & 0xff);
                    assertEquals(0, wire[at + 3], "frame type DATA");
                    int streamId = ((wire[at + 5] & 0x7f) << 24) | ((wire[at + 6] & 0xff) << 16)
                            | ((wire[at + 7] & 0xff) << 8) | (wire[at + 8] & 0xff);
                    assertTrue(at + 9 + len <= wire.length, "frame cut short at " + at);
                    seen.add(new Seen('D', streamId, Arrays.copyOfRange(wire, at + 9, at + 9 + len)));
                    at += 9 + len;
                }
            }
        }

        @Override
        public void writeData(Http2FrameData frame, FlowControl.Outbound flowControl) {
            throw new AssertionError("DATA frames are charged by DataWrites and written with write()");
        }

        @Override
        public synchronized int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags,
                                             FlowControl.Outbound flowControl) {
            seen.add(new Seen('H', streamId, null));
            return 0;
        }

        @Override
        public int writeHeaders(Http2Headers headers, int streamId, Http2Flag.HeaderFlags flags, Http2FrameData dataFrame,
                                FlowControl.Outbound flowControl) {
            throw new AssertionError("not used");
        }

        synchronized List<Seen> seen() {
            return new ArrayList<>(seen);
        }

        synchronized int socketWrites() {
            return socketWrites;
        }
    }

    /** A socket write: says it has begun, then waits until the test opens the gate (bounded). */
    private static void passGate(CountDownLatch entered, CountDownLatch gate) {
        entered.countDown();
        try {
            if (!gate.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the test did not open the gate");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] payload(int streamId, int i, int size) {
        byte[] b = new byte[size];
        for (int k = 0; k < size; k++) {
            b[k] = (byte) (streamId * 31 + i * 7 + k);
        }
        return b;
    }

    private static Http2FrameData frame(int streamId, byte[] payload) {
        return new Http2FrameData(Http2FrameHeader.create(payload.length, Http2FrameTypes.DATA, Http2Flag.DataFlags.create(0),
                streamId), BufferData.create(payload));
    }

    private static ConnectionFlowControl connectionFlowControl() {
        return ConnectionFlowControl.serverBuilder((id, update) -> { }).build(); // outbound window: 65,535
    }

    private static FlowControl.Outbound stream(ConnectionFlowControl fc, int streamId, int window) {
        return fc.createStreamFlowControl(streamId, window, 16_384).outbound();
    }

    /**
     * Starts a thread that writes one frame of {@code length} bytes on stream 1 and so takes the writer role,
     * and returns it once that write is held in {@code conn}'s socket (until {@code conn.gate} opens).
     */
    private static Thread holdWriterRole(Connection conn, ConnectionFlowControl fc, int length) throws InterruptedException {
        Thread holder = start(() -> new GrpcOverHttp2.WindowSafeWriter(conn).writeData(frame(1, payload(1, 0, length)),
                stream(fc, 1, 65_535)));
        assertTrue(conn.entered.await(WAIT_SECONDS, TimeUnit.SECONDS), "first write reached the socket");
        return holder;
    }

    private static Thread start(Runnable r) {
        return Thread.ofVirtual().start(r);
    }

    private static void join(Thread t, String what) throws InterruptedException {
        if (!t.join(java.time.Duration.ofSeconds(WAIT_SECONDS))) {
            fail("not done within " + WAIT_SECONDS + " s: " + what);
        }
    }

    /** Waits until {@code t} is parked or done (the state a thread reaches when it must wait for others). */
    private static void awaitParkedOrDone(Thread t, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && t.getState() != Thread.State.TERMINATED) {
            if (System.nanoTime() > deadline) {
                fail("neither parked nor done within " + WAIT_SECONDS + " s: " + what + " (" + t.getState() + ")");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * While one stream's thread holds the writer role (its socket write is held), nine other streams
     * write five frames each: each of those writes returns at once (the old writer made every one wait
     * until its frame was on the socket, one frame in flight per stream), and all 45 frames then leave
     * in ONE socket write, whole and in the order written, although each stream reuses one buffer for
     * all its messages (as Helidon's gRPC does) once its write returned.
     */
    @Test
    void framesQueuedWhileTheWriterIsBusyLeaveInOneSocketWriteWithoutTheirWritersWaiting() throws Exception {
        Connection conn = new Connection(true, null);
        ConnectionFlowControl fc = connectionFlowControl();
        Thread holder = holdWriterRole(conn, fc, 100);
        List<Seen> expected = new ArrayList<>();
        expected.add(new Seen('D', 1, payload(1, 0, 100)));
        CompletableFuture<Void> others = CompletableFuture.runAsync(() -> {
            for (int s = 3; s <= 19; s += 2) {
                GrpcOverHttp2.WindowSafeWriter w = new GrpcOverHttp2.WindowSafeWriter(conn);
                FlowControl.Outbound out = stream(fc, s, 65_535);
                BufferData reused = BufferData.create(64); // as Helidon's gRPC: one buffer per call, reset per message
                for (int i = 0; i < 5; i++) {
                    byte[] p = payload(s, i, 20 + i);
                    reused.reset();
                    reused.write(p);
                    w.writeData(new Http2FrameData(Http2FrameHeader.create(p.length, Http2FrameTypes.DATA,
                            Http2Flag.DataFlags.create(0), s), reused), out);
                }
            }
        });
        for (int s = 3; s <= 19; s += 2) {
            for (int i = 0; i < 5; i++) {
                expected.add(new Seen('D', s, payload(s, i, 20 + i)));
            }
        }
        others.get(WAIT_SECONDS, TimeUnit.SECONDS); // the old writer parked here until the gate opened
        assertEquals(0, conn.socketWrites(), "nothing written while the first write is held");
        conn.gate.countDown();
        join(holder, "the writer holding the role");
        assertEquals(2, conn.socketWrites(), "the first frame, then the 45 queued ones in one write");
        assertEquals(2, GrpcOverHttp2.dataWrites(conn).socketWrites());
        assertFrames(expected, conn.seen());
    }

    /**
     * Frames are charged when queued: with the connection window (65,535) almost used by queued frames,
     * another stream's frame is cut to what is left, and its rest waits, on its own thread, for a window
     * update. No byte beyond the window reaches the wire before the update.
     */
    @Test
    void queuedFramesNeverSpendMoreThanTheConnectionWindow() throws Exception {
        Connection conn = new Connection(true, null);
        ConnectionFlowControl fc = connectionFlowControl();
        FlowControl.Outbound a = stream(fc, 1, 1 << 20);
        FlowControl.Outbound b = stream(fc, 3, 1 << 20);
        GrpcOverHttp2.WindowSafeWriter wa = new GrpcOverHttp2.WindowSafeWriter(conn);
        Thread holder = start(() -> wa.writeData(frame(1, payload(1, 0, 16_000)), a));
        assertTrue(conn.entered.await(WAIT_SECONDS, TimeUnit.SECONDS), "first write reached the socket");
        for (int i = 1; i < 4; i++) {
            wa.writeData(frame(1, payload(1, i, 16_000)), a); // 64,000 of 65,535 charged
        }
        byte[] big = payload(3, 0, 16_000);
        AtomicReference<Throwable> bFailed = new AtomicReference<>();
        Thread writerB = start(() -> {
            try {
                new GrpcOverHttp2.WindowSafeWriter(conn).writeData(frame(3, big), b);
            } catch (Throwable t) {
                bFailed.set(t);
            }
        });
        awaitParkedOrDone(writerB, "stream 3 waiting for window");
        assertTrue(writerB.isAlive(), "stream 3 must wait for window, not finish: " + bFailed.get());
        conn.gate.countDown();
        join(holder, "the writer holding the role");
        // everything charged is written; stream 3's rest still waits for the window update
        awaitDataBytes(conn, 65_535);
        assertEquals(65_535, dataBytes(conn.seen()), "exactly the connection window");
        assertTrue(writerB.isAlive(), "stream 3's rest waits for a window update");
        fc.incrementOutboundConnectionWindowSize(100_000);
        join(writerB, "stream 3 after the window update");
        assertEquals(null, bFailed.get());
        List<Seen> seen = conn.seen();
        assertEquals(65_535 + 16_000 - 1_535, dataBytes(seen));
        java.io.ByteArrayOutputStream threes = new java.io.ByteArrayOutputStream();
        for (Seen s : seen) {
            if (s.streamId() == 3) {
                threes.write(s.payload());
            }
        }
        assertArrayEquals(big, threes.toByteArray(), "stream 3's frame arrives whole, cut in two");
    }

    /** A stream's trailers (HEADERS) wait until its queued DATA frames are on the socket. */
    @Test
    void headersOfAStreamFollowItsQueuedDataFrames() throws Exception {
        Connection conn = new Connection(true, null);
        ConnectionFlowControl fc = connectionFlowControl();
        Thread holder = holdWriterRole(conn, fc, 10);
        GrpcOverHttp2.WindowSafeWriter w3 = new GrpcOverHttp2.WindowSafeWriter(conn);
        FlowControl.Outbound out3 = stream(fc, 3, 65_535);
        w3.writeData(frame(3, payload(3, 0, 10)), out3); // queued behind the held write
        Thread trailers = start(() -> w3.writeHeaders(null, 3, Http2Flag.HeaderFlags.create(Http2Flag.END_OF_STREAM), out3));
        awaitParkedOrDone(trailers, "stream 3's trailers");
        conn.gate.countDown();
        join(holder, "the writer holding the role");
        join(trailers, "stream 3's trailers");
        assertEquals("[D1(10), D3(10), H3]", conn.seen().toString());
    }

    /** A failed socket write fails the writer's own call and every later write on the connection. */
    @Test
    void aFailedSocketWriteFailsLaterWritesOnTheConnection() {
        UncheckedIOException broken = new UncheckedIOException(new java.io.IOException("connection reset"));
        Connection conn = new Connection(false, broken);
        ConnectionFlowControl fc = connectionFlowControl();
        GrpcOverHttp2.WindowSafeWriter w1 = new GrpcOverHttp2.WindowSafeWriter(conn);
        assertSame(broken, assertThrows(UncheckedIOException.class,
                () -> w1.writeData(frame(1, payload(1, 0, 10)), stream(fc, 1, 65_535))));
        GrpcOverHttp2.WindowSafeWriter w3 = new GrpcOverHttp2.WindowSafeWriter(conn);
        assertSame(broken, assertThrows(UncheckedIOException.class,
                () -> w3.writeData(frame(3, payload(3, 0, 10)), stream(fc, 3, 65_535))));
    }

    /**
     * The batching relies on Helidon's own connection writer writing a frame's header and then its whole
     * data in one socket write, whatever the header's length says (4.5.0's {@code noLockWrite}). This
     * checks it against Helidon's real {@code Http2ConnectionWriter} over a socket that records bytes:
     * the 45 queued frames must reach the socket in one write, as exactly the frames' bytes back to
     * back. A Helidon upgrade that changes how {@code write} treats a frame's data fails here, not on
     * the wire.
     */
    @Test
    void helidonsConnectionWriterPutsABatchOnTheSocketAsTheFramesBackToBack() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        List<byte[]> socketWrites = new ArrayList<>();
        DataWriter socket = new DataWriter() {
            @Override
            public void write(BufferData... buffers) {
                writeNow(buffers);
            }

            @Override
            public void write(BufferData buffer) {
                writeNow(buffer);
            }

            @Override
            public void writeNow(BufferData... buffers) {
                writeNow(BufferData.create(buffers));
            }

            @Override
            public void writeNow(BufferData buffer) {
                passGate(entered, gate);
                byte[] b = new byte[buffer.available()];
                buffer.read(b);
                synchronized (socketWrites) {
                    socketWrites.add(b);
                }
            }
        };
        Http2ConnectionWriter helidon = new Http2ConnectionWriter(null, socket, List.of());
        ConnectionFlowControl fc = connectionFlowControl();
        Thread holder = start(() -> new GrpcOverHttp2.WindowSafeWriter(helidon).writeData(frame(1, payload(1, 0, 100)),
                stream(fc, 1, 65_535)));
        assertTrue(entered.await(WAIT_SECONDS, TimeUnit.SECONDS), "first write reached the socket");
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        for (int s = 3; s <= 19; s += 2) {
            GrpcOverHttp2.WindowSafeWriter w = new GrpcOverHttp2.WindowSafeWriter(helidon);
            FlowControl.Outbound out = stream(fc, s, 65_535);
            for (int i = 0; i < 5; i++) {
                Http2FrameData f = frame(s, payload(s, i, 20 + i));
                BufferData header = f.header().write();
                byte[] h = new byte[header.available()];
                header.read(h);
                batch.write(h);
                batch.write(payload(s, i, 20 + i));
                w.writeData(f, out); // queued: the writer role is held at the gate
            }
        }
        gate.countDown();
        join(holder, "the writer holding the role");
        synchronized (socketWrites) {
            assertEquals(2, socketWrites.size(), "the first frame, then the 45 queued ones in one socket write");
            assertEquals(9 + 100, socketWrites.get(0).length);
            assertArrayEquals(batch.toByteArray(), socketWrites.get(1), "the batch is the frames back to back");
        }
    }

    private static void assertFrames(List<Seen> expected, List<Seen> actual) {
        assertEquals(expected.toString(), actual.toString());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).payload(), actual.get(i).payload(), "payload of frame " + i);
        }
    }

    private static int dataBytes(List<Seen> seen) {
        return seen.stream().filter(s -> s.kind() == 'D').mapToInt(s -> s.payload().length).sum();
    }

    private static void awaitDataBytes(Connection conn, int bytes) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (dataBytes(conn.seen()) < bytes) {
            if (System.nanoTime() > deadline) {
                fail("fewer than " + bytes + " DATA bytes written within " + WAIT_SECONDS + " s: " + dataBytes(conn.seen()));
            }
            Thread.onSpinWait();
        }
    }
}
