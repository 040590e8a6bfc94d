package dev.etcetera.storage.je;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single member on JE under concurrent writers and readers. Writers replace every key of a group in
 * one txn; readers check that a range never shows a torn txn (all keys of the group carry the same
 * value and mod revision), that header revisions never go back, and that a linearizable read after a
 * write sees it. Then the member restarts and must show the same state.
 */
class JeServerConcurrencyTest {
    static final MemberInfo INFO = new MemberInfo(7, 9, "je", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");
    private static final int GROUP = 8;
    private static final int WRITERS = 3;
    private static final int READERS = 4;
    private static final int TXNS_PER_WRITER = 150;

    @TempDir
    Path dir;

    private static ByteString b(String s) {
        return ByteString.copyFromUtf8(s);
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out after 30 s waiting for " + what);
        }
    }

    private static RangeRequest group(boolean serializable) {
        return RangeRequest.newBuilder().setKey(b("g/")).setRangeEnd(b("g0")).setSerializable(serializable).build();
    }

    /** Null if the group is consistent, else a description of the tear. */
    private static String tear(RangeResponse r) {
        if (r.getKvsCount() != GROUP) {
            return "expected " + GROUP + " keys, got " + r.getKvsCount();
        }
        KeyValue first = r.getKvs(0);
        for (KeyValue kv : r.getKvsList()) {
            if (!kv.getValue().equals(first.getValue()) || kv.getModRevision() != first.getModRevision()) {
                return "torn txn: " + first.getKey().toStringUtf8() + "@" + first.getModRevision() + " vs "
                        + kv.getKey().toStringUtf8() + "@" + kv.getModRevision();
            }
        }
        if (first.getModRevision() > r.getHeader().getRevision()) {
            return "kv newer than the header revision";
        }
        return null;
    }

    private static TxnRequest replaceGroup(String value) {
        TxnRequest.Builder t = TxnRequest.newBuilder();
        for (int i = 0; i < GROUP; i++) {
            t.addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(b("g/" + i)).setValue(b(value))));
        }
        return t.build();
    }

    @Test
    void noTornTxnAndMonotonicRevisions() throws Exception {
        long seed = System.nanoTime();
        System.out.println("JeServerConcurrencyTest seed " + seed);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long finalRevision;
        String finalValue;
        try (SingleMemberServer server = SingleMemberServer.open(INFO, ServerLimits.defaults(), JeBackend.open(dir))) {
            await(server.txn(replaceGroup("init")), "initial txn");
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                Random rnd = new Random(seed + r);
                Thread t = new Thread(() -> {
                    long last = 0;
                    try {
                        while (writing.get() && failures.isEmpty()) {
                            RangeResponse resp = await(server.range(group(rnd.nextBoolean())), "reader range");
                            String tear = tear(resp);
                            if (tear != null) {
                                failures.add(tear);
                            }
                            if (resp.getHeader().getRevision() < last) {
                                failures.add("header revision went back: " + last + " -> " + resp.getHeader().getRevision());
                            }
                            last = resp.getHeader().getRevision();
                        }
                    } catch (Throwable e) {
                        failures.add("reader failed: " + e);
                    }
                }, "reader-" + r);
                readers.add(t);
                t.start();
            }
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    long last = 0;
                    try {
                        for (int i = 0; i < TXNS_PER_WRITER && failures.isEmpty(); i++) {
                            TxnResponse resp = await(server.txn(replaceGroup("w" + id + "-" + i)), "writer txn");
                            long rev = resp.getHeader().getRevision();
                            if (rev <= last) {
                                failures.add("write revision did not increase: " + last + " -> " + rev);
                            }
                            last = rev;
                            RangeResponse after = await(server.range(group(false)), "read after write");
                            if (after.getHeader().getRevision() < rev || after.getKvs(0).getModRevision() < rev) {
                                failures.add("linearizable read after write at " + rev + " saw " + after.getHeader().getRevision());
                            }
                        }
                    } catch (Throwable e) {
                        failures.add("writer failed: " + e);
                    }
                }, "writer-" + w);
                writers.add(t);
                t.start();
            }
            for (Thread t : writers) {
                t.join(TimeUnit.MINUTES.toMillis(2));
                assertTrue(!t.isAlive(), t.getName() + " did not finish within 2 minutes");
            }
            writing.set(false);
            for (Thread t : readers) {
                t.join(TimeUnit.MINUTES.toMillis(1));
                assertTrue(!t.isAlive(), t.getName() + " did not finish within 1 minute");
            }
            assertTrue(failures.isEmpty(), () -> "seed " + seed + ": " + failures);

            RangeResponse end = await(server.range(group(false)), "final read");
            finalRevision = end.getHeader().getRevision();
            finalValue = end.getKvs(0).getValue().toStringUtf8();
            assertEquals(2 + WRITERS * TXNS_PER_WRITER, finalRevision, "one revision per txn");
            await(server.compact(CompactionRequest.newBuilder().setRevision(finalRevision - 10).setPhysical(true).build()), "physical compaction");
            StatusResponse st = await(server.status(StatusRequest.getDefaultInstance()), "status");
            // the empty entry of the member's term, the seed write, the txns, the compaction
            assertEquals(1 + 1 + WRITERS * TXNS_PER_WRITER + 1, st.getRaftAppliedIndex());
            assertTrue(st.getDbSize() > 0);
        }
        try (SingleMemberServer server = SingleMemberServer.open(INFO, ServerLimits.defaults(), JeBackend.open(dir))) {
            RangeResponse again = await(server.range(group(false)), "read after restart");
            assertEquals(finalRevision, again.getHeader().getRevision());
            assertEquals(null, tear(again));
            assertEquals(finalValue, again.getKvs(0).getValue().toStringUtf8());
            RangeResponse old = await(server.range(group(false).toBuilder().setRevision(finalRevision - 10).build()), "historical read");
            assertEquals(null, tear(old));
            StatusResponse st = await(server.status(StatusRequest.getDefaultInstance()), "status after restart");
            // as before the restart, plus the empty entry of the new term this start took
            assertEquals(1 + 1 + WRITERS * TXNS_PER_WRITER + 1 + 1, st.getRaftAppliedIndex());
            assertEquals(finalRevision - 10, server.finishedCompactRevision());
        }
    }
}
