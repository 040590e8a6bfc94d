package dev.etcetera.server;

import com.google.protobuf.Message;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.internal.InternalRaftRequest;
import dev.etcetera.apply.Applier;
import dev.etcetera.apply.ApplyResult;
import dev.etcetera.mvcc.MvccStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The apply stage's thread: takes committed entries in index order and applies them with
 * <em>group commit</em>. It drains every queued entry (up to {@link ServerLimits#maxApplyBatch()}),
 * applies each (each its own revision) into one backend batch, commits that batch once with the
 * applied index (synced when the backend commit is the durability point; with a journal, only when
 * {@link ApplyDurability} asks), publishes the new revision
 * to readers, and only then completes the waiting callers and wakes reads waiting for the applied
 * index. Between batches it runs bounded compaction steps.
 *
 * <p>Threads: {@link #committed} from the proposer (any thread); everything else runs on the one
 * thread started by {@link #start()}. Callers' futures are completed on that thread.
 *
 * <p>Failure: an exception from the store or the backend stops the loop for good (the store may be
 * half-applied in memory); the member then reports unhealthy and fails every waiting request.
 */
public final class ApplyLoop {
    private static final System.Logger LOG = System.getLogger(ApplyLoop.class.getName());
    private static final ApplyDurability NO_SYNC = new ApplyDurability() {
        @Override
        public boolean syncCommit(long appliedIndex) {
            return false;
        }

        @Override
        public void committed(long appliedIndex, long term, boolean synced) {
        }
    };
    private static final CommittedEntry STOP = new CommittedEntry(-1, -1, InternalRaftRequest.getDefaultInstance());

    private record PhysicalCompaction(long revision, long id, Message response) {
    }

    private final MvccStore store;
    private final Applier applier;
    private final Wait wait;
    private final AppliedIndexWait appliedWait;
    private final MemberInfo info;
    private final ServerLimits limits;
    private final ApplyDurability durability;
    private final LinkedBlockingQueue<CommittedEntry> queue = new LinkedBlockingQueue<>();
    private final List<PhysicalCompaction> physical = new ArrayList<>();
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean exited;
    private ResponseHeader header = ResponseHeader.getDefaultInstance();

    ApplyLoop(MvccStore store, Applier applier, Wait wait, AppliedIndexWait appliedWait, MemberInfo info,
              ServerLimits limits, boolean syncOnCommit) {
        this(store, applier, wait, appliedWait, info, limits,
                syncOnCommit ? ApplyDurability.SYNC_EVERY_COMMIT : NO_SYNC);
    }

    /** As above, with the journal deciding which backend commits are synced (journal-first durability). */
    ApplyLoop(MvccStore store, Applier applier, Wait wait, AppliedIndexWait appliedWait, MemberInfo info,
              ServerLimits limits, ApplyDurability durability) {
        this.store = store;
        this.applier = applier;
        this.wait = wait;
        this.appliedWait = appliedWait;
        this.info = info;
        this.limits = limits;
        this.durability = durability;
        this.thread = new Thread(this::run, "etcetera-apply");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Hands over a committed entry; entries must arrive in index order. Any thread. */
    public void committed(CommittedEntry entry) {
        queue.add(entry);
    }

    /** Entries handed over but not yet applied. */
    int backlog() {
        return queue.size();
    }

    /** The failure that stopped the loop, or null. */
    Throwable failure() {
        return failure;
    }

    boolean running() {
        return !exited;
    }

    /**
     * Applies what was handed over before this call, then stops; returns once the thread has exited.
     * The proposer must be stopped first so nothing arrives after the stop mark.
     */
    void stopAndJoin() throws InterruptedException {
        queue.add(STOP);
        thread.join();
    }

    private void run() {
        List<CommittedEntry> batch = new ArrayList<>();
        try {
            while (true) {
                CommittedEntry first = store.compactionPending() ? queue.poll() : queue.take();
                if (first == null) {
                    compactionStep();
                    continue;
                }
                if (first == STOP) {
                    return;
                }
                batch.clear();
                batch.add(first);
                queue.drainTo(batch, limits.maxApplyBatch() - 1);
                boolean stop = batch.get(batch.size() - 1) == STOP;
                if (stop) {
                    batch.remove(batch.size() - 1);
                }
                applyBatch(batch);
                if (stop) {
                    return;
                }
                if (store.compactionPending()) {
                    compactionStep();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
            LOG.log(System.Logger.Level.ERROR, "apply loop stopped: the store can no longer be trusted", t);
            store.abandon();
        } finally {
            exited = true;
            EtcdException stopped = EtcdError.STOPPED.exception();
            for (PhysicalCompaction p : physical) {
                wait.fail(p.id(), stopped);
            }
            physical.clear();
            if (failure != null) {
                wait.failAll(stopped);
                appliedWait.failAll(stopped);
            }
        }
    }

    private void applyBatch(List<CommittedEntry> batch) {
        ApplyResult[] results = new ApplyResult[batch.size()];
        for (int i = 0; i < results.length; i++) {
            CommittedEntry e = batch.get(i);
            results[i] = applier.apply(e.index(), e.request(), header(e.term()));
        }
        CommittedEntry last = batch.get(batch.size() - 1);
        if (last.index() > store.consistentIndex()) {
            boolean sync = durability.syncCommit(last.index());
            store.commit(last.index(), last.term(), sync);
            durability.committed(last.index(), last.term(), sync);
        }
        // Durable and published: reads waiting for this index may run, and callers learn the outcome
        // (in this order, so a caller's next linearizable read does not have to wait).
        appliedWait.advance(last.index());
        for (int i = 0; i < results.length; i++) {
            ApplyResult r = results[i];
            if (r == null) {
                continue; // already applied before a restart
            }
            InternalRaftRequest req = batch.get(i).request();
            long id = req.getHeader().getID();
            if (r.error() == null && req.hasCompaction() && req.getCompaction().getPhysical()) {
                physical.add(new PhysicalCompaction(req.getCompaction().getRevision(), id, r.response()));
            } else {
                wait.trigger(id, r);
            }
        }
        completePhysical();
    }

    private void compactionStep() {
        store.compactStep(limits.compactionBatchLimit());
        completePhysical();
    }

    private void completePhysical() {
        if (physical.isEmpty()) {
            return;
        }
        long finished = store.finishedCompactRevision();
        physical.removeIf(p -> {
            if (p.revision() > finished) {
                return false;
            }
            CompactionResponse resp = ((CompactionResponse) p.response()).toBuilder()
                    .setHeader(header(((CompactionResponse) p.response()).getHeader().getRaftTerm())
                            .toBuilder().setRevision(store.revision()))
                    .build();
            wait.trigger(p.id(), ApplyResult.ok(resp));
            return true;
        });
    }

    private ResponseHeader header(long term) {
        if (header.getRaftTerm() != term || header.getMemberId() != info.memberId()) {
            header = ResponseHeader.newBuilder()
                    .setClusterId(info.clusterId()).setMemberId(info.memberId()).setRaftTerm(term).build();
        }
        return header;
    }
}
