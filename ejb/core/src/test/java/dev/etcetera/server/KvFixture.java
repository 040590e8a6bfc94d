package dev.etcetera.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.Compare;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.MemoryBackend;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A single member over a backend and small helpers to talk etcd to it. */
class KvFixture implements AutoCloseable {
    static final MemberInfo INFO = new MemberInfo(0x1234, 0x5678, "default", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");
    static final long TIMEOUT_SECONDS = 20;

    final Backend backend;
    final SingleMemberServer server;

    KvFixture() {
        this(new MemoryBackend(), ServerLimits.defaults());
    }

    KvFixture(Backend backend, ServerLimits limits) {
        this.backend = backend;
        this.server = SingleMemberServer.open(INFO, limits, backend);
    }

    static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    /** Waits a bounded time for a future, naming what it waited for. */
    static <T> T await(CompletableFuture<T> f, String what) {
        try {
            return f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new AssertionError(what + " failed", e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s waiting for " + what);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what);
        }
    }

    static EtcdError error(CompletableFuture<?> f) {
        try {
            f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof EtcdException ee) {
                return ee.error();
            }
            throw new AssertionError("expected an etcd error, got " + e.getCause(), e.getCause());
        } catch (TimeoutException | InterruptedException e) {
            throw new AssertionError("no answer within " + TIMEOUT_SECONDS + " s", e);
        }
        return fail("expected an etcd error, got a response");
    }

    PutResponse put(String k, String v) {
        return await(server.put(PutRequest.newBuilder().setKey(b(k)).setValue(b(v)).build()), "put " + k);
    }

    long delete(String k, String end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(b(k));
        if (end != null) {
            d.setRangeEnd(b(end));
        }
        return await(server.deleteRange(d.build()), "delete " + k).getDeleted();
    }

    RangeResponse range(RangeRequest r) {
        return await(server.range(r), "range");
    }

    RangeResponse get(String k) {
        return range(RangeRequest.newBuilder().setKey(b(k)).build());
    }

    KeyValue kv(String k) {
        RangeResponse r = get(k);
        return r.getKvsCount() == 0 ? null : r.getKvs(0);
    }

    /** "key=value" for each kv of a response. */
    static List<String> pairs(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> kv.getKey().toStringUtf8() + "=" + kv.getValue().toStringUtf8()).toList();
    }

    static List<String> keys(List<KeyValue> kvs) {
        return kvs.stream().map(kv -> kv.getKey().toStringUtf8()).toList();
    }

    long revision() {
        return get("\0").getHeader().getRevision();
    }

    static RequestOp putOp(String k, String v) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b(k)).setValue(b(v))).build();
    }

    static RequestOp getOp(String k) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(b(k))).build();
    }

    static RequestOp delOp(String k, String end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(b(k));
        if (end != null) {
            d.setRangeEnd(b(end));
        }
        return RequestOp.newBuilder().setRequestDeleteRange(d).build();
    }

    static Compare.Builder cmp(String k, Compare.CompareTarget target, Compare.CompareResult result) {
        return Compare.newBuilder().setKey(b(k)).setTarget(target).setResult(result);
    }

    static void expectError(EtcdError expected, Runnable r) {
        EtcdException e = assertThrows(EtcdException.class, r::run);
        if (e.error() != expected) {
            throw new AssertionError("expected " + expected + " but got " + e.error());
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
