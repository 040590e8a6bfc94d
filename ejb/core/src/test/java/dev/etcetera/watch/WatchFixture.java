package dev.etcetera.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.WatchCancelRequest;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchProgressRequest;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.apply.LeaseLookup;
import dev.etcetera.mvcc.MemoryBackend;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A single member on the in-memory backend with its real watch stage, and a small client. */
final class WatchFixture implements AutoCloseable {
    static final MemberInfo INFO = new MemberInfo(0x1234, 0x5678, "default", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");
    static final long TIMEOUT_SECONDS = 20;

    final SingleMemberServer server;

    WatchFixture() {
        this(WatchableStore.Config.defaults());
    }

    WatchFixture(WatchableStore.Config config) {
        server = SingleMemberServer.open(INFO, ServerLimits.defaults(), new MemoryBackend(), LeaseLookup.NONE, config);
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("waiting for " + what + ": " + e, e);
        }
    }

    long put(String k, String v) {
        return await(server.put(PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build()), "put " + k)
                .getHeader().getRevision();
    }

    long delete(String k, String end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(b(k));
        if (end != null) {
            d.setRangeEnd(b(end));
        }
        return await(server.deleteRange(d.build()), "delete " + k).getHeader().getRevision();
    }

    void compact(long rev) {
        await(server.compact(CompactionRequest.newBuilder().setRevision(rev).setPhysical(true).build()), "compact " + rev);
    }

    Client client() {
        return new Client(server.openWatchStream(false));
    }

    @Override
    public void close() {
        server.close();
    }

    static WatchCreateRequest.Builder create(String key) {
        return WatchCreateRequest.newBuilder().setKey(b(key));
    }

    /** A client of one stream; every wait is bounded and names what it waited for. */
    static final class Client {
        final WatchStream stream;

        Client(WatchStream stream) {
            this.stream = stream;
        }

        void send(WatchCreateRequest.Builder c) {
            stream.request(WatchRequest.newBuilder().setCreateRequest(c).build());
        }

        void cancel(long id) {
            stream.request(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
        }

        void requestProgress() {
            stream.request(WatchRequest.newBuilder().setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
        }

        /** Creates a watcher and returns its created response. */
        WatchResponse watch(WatchCreateRequest.Builder c) {
            send(c);
            WatchResponse r = next("created response for " + c.getKey().toStringUtf8());
            assertEquals(true, r.getCreated(), "created: " + r);
            return r;
        }

        WatchResponse next(String what) {
            try {
                WatchResponse r = stream.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (r == null) {
                    fail("no watch response within " + TIMEOUT_SECONDS + " s while waiting for " + what
                            + (stream.ended() ? " (stream ended: " + stream.failure() + ")" : ""));
                }
                return r;
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /**
         * Asserts nothing but a progress response is queued now: asks for progress, which is queued
         * behind everything already sent, and expects it as the very next response.
         */
        WatchResponse expectQuiet(String why) {
            requestProgress();
            WatchResponse r = next("progress response (" + why + ")");
            assertNotNull(r);
            assertEquals(WatchableStore.INVALID_WATCH_ID, r.getWatchId(), why + ": expected only a progress response, got " + r);
            assertEquals(0, r.getEventsCount(), why + ": " + r);
            return r;
        }
    }
}
