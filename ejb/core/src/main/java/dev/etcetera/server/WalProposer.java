package dev.etcetera.server;

import dev.etcetera.api.internal.InternalRaftRequest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The single member's proposer with journal-first durability: each proposal becomes a log entry at
 * the next index (with the member's term), is appended to the {@link WriteAheadLog}, and is handed
 * to the {@link ApplyLoop} as committed only once the log says it is durable.
 *
 * <h2>Order of operations, and why acknowledged writes survive a crash</h2>
 * <ol>
 *   <li>Request thread: queue the proposal; the thread holding the append lock takes every queued
 *       proposal, gives them the next indexes and appends them to the log as one batch (the log
 *       validates and queues atomically, so queue order is index order).</li>
 *   <li>Log's sync thread: one fdatasync covers a whole group of appends (group commit); it then
 *       completes their futures in index order. Each completion hands every entry up to its index
 *       to the apply loop, in index order, under the hand-off lock.</li>
 *   <li>Apply thread: applies a batch, commits the backend <em>without</em> sync, recording the
 *       applied index in the same transaction, publishes the revision, then completes callers.</li>
 * </ol>
 * A caller is answered after step 3, hence after the fdatasync of step 2: every acknowledged write is
 * in the log. After a crash the backend holds some prefix of the applied entries (JE recovers its
 * log in order) together with the matching consistent index; {@link #open} replays the log after
 * that index through the apply loop, which skips anything at or below the index it already holds
 * (exactly-once). Entries the log held but whose futures had not completed may or may not survive;
 * their callers were never answered, so either outcome is allowed.
 *
 * <h2>Failure</h2>
 * A failed append or sync is fatal (see {@link WriteAheadLog}): the first failure stops the
 * proposer, drops entries not yet handed to the apply loop, and tells {@code onFatal} once (the
 * server fails every waiting request and reports unhealthy; the container exits). Later proposals
 * fail with STOPPED.
 *
 * <p>Threads: {@link #propose} from any request thread; completions on the log's thread;
 * {@link #readIndex} anywhere.
 */
public final class WalProposer implements Proposer, ReadIndex {
    private static final System.Logger LOG = System.getLogger(WalProposer.class.getName());
    /** Most entries appended by one journal append (bounds one record batch; the rest waits a turn). */
    private static final int MAX_APPEND_ENTRIES = 1024;

    private final ApplyLoop applyLoop;
    private final WriteAheadLog wal;
    private final long term;
    private final long replayedTo;
    private final Consumer<Throwable> onFatal;
    /** Appended, not yet handed to the apply loop; index order. Guarded by itself (the hand-off lock). */
    private final ArrayDeque<CommittedEntry> unsynced = new ArrayDeque<>();
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Proposals not yet appended, in arrival order (their order in the log). */
    private final ConcurrentLinkedQueue<InternalRaftRequest> incoming = new ConcurrentLinkedQueue<>();
    /** Serialises index assignment and appends (see {@link #appendQueued()}). */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Guarded by appendLock. */
    private long lastIndex;
    /** Written under appendLock. */
    private volatile boolean stopped;
    private volatile long committed;
    private volatile Throwable failure;

    private WalProposer(ApplyLoop applyLoop, WriteAheadLog wal, long term, long lastIndex,
                        Consumer<Throwable> onFatal) {
        this.applyLoop = applyLoop;
        this.wal = wal;
        this.term = term;
        this.lastIndex = lastIndex;
        this.replayedTo = lastIndex;
        this.committed = lastIndex;
        this.onFatal = onFatal;
    }

    /**
     * Replays the log after the backend's consistent index into the apply loop (which may already
     * run; the caller waits for {@link #replayedTo()} to be applied before serving) and returns a
     * proposer that appends at the index after the last replayed one.
     *
     * @param appliedIndex the backend's consistent index
     * @param appliedTerm  its term
     * @param onFatal      told once, on the log's thread, when the log fails
     */
    public static WalProposer open(ApplyLoop applyLoop, WriteAheadLog wal, long appliedIndex, long appliedTerm,
                                   Consumer<Throwable> onFatal) {
        List<CommittedEntry> replay = wal.replay(appliedIndex, appliedTerm);
        long last = appliedIndex;
        long term = Math.max(SingleMemberServer.BOOTSTRAP_TERM, appliedTerm);
        for (CommittedEntry e : replay) {
            if (e.index() != last + 1) {
                throw new IllegalStateException("log replay returned entry " + e.index() + " after " + last);
            }
            last = e.index();
            term = Math.max(term, e.term());
            applyLoop.committed(e);
        }
        if (!replay.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "replayed " + replay.size() + " journal entries after applied index "
                    + appliedIndex + " (to " + last + ")");
        }
        // A new term at every start (see SingleMemberServer.BOOTSTRAP_TERM); the server logs an
        // empty entry at it.
        return new WalProposer(applyLoop, wal, term + 1, last, onFatal);
    }

    /** The last index replayed at open; the member serves once it is applied. */
    public long replayedTo() {
        return replayedTo;
    }

    @Override
    public void propose(InternalRaftRequest request) {
        if (stopped || failure != null) {
            throw EtcdError.STOPPED.exception();
        }
        incoming.add(request);
        appendQueued();
    }

    /**
     * Appends every queued proposal, as consecutive entries of one journal append. Whoever holds the
     * append lock appends for everyone (so a burst of concurrent proposals costs one encode pass, one
     * journal hand-off and one durability future instead of one each, and proposers never park on
     * the lock); a proposer that finds the lock taken leaves its proposal to the holder, who looks at
     * the queue again after unlocking. That re-check cannot miss a proposal: the loser's
     * {@code add} precedes its failed {@code tryLock}, which precedes the holder's unlock, which
     * precedes the holder's {@code isEmpty}.
     *
     * <p>Proposals drained after {@link #stop()} or after the log failed are dropped: their callers
     * are failed by the server (STOPPED at close, or by {@code onFatal}).
     */
    private void appendQueued() {
        while (!incoming.isEmpty() && appendLock.tryLock()) {
            List<CommittedEntry> batch = null;
            CompletableFuture<Void> durable = null;
            try {
                if (stopped || failure != null) {
                    incoming.clear();
                    continue;
                }
                batch = new ArrayList<>();
                for (InternalRaftRequest r; batch.size() < MAX_APPEND_ENTRIES && (r = incoming.poll()) != null; ) {
                    batch.add(new CommittedEntry(lastIndex + 1 + batch.size(), term, r));
                }
                if (batch.isEmpty()) {
                    continue;
                }
                synchronized (unsynced) {
                    unsynced.addAll(batch);
                }
                try {
                    durable = wal.append(batch);
                } catch (RuntimeException e) {
                    fail(e); // every waiting caller, those of this batch included, is failed by onFatal
                    continue;
                }
                lastIndex += batch.size();
            } finally {
                appendLock.unlock();
            }
            long index = batch.getLast().index();
            durable.whenComplete((ignored, error) -> {
                if (error != null) {
                    fail(error);
                } else {
                    handOff(index);
                }
            });
        }
    }

    /** The log made everything up to {@code index} durable: hand it to the apply loop in order. */
    private void handOff(long index) {
        synchronized (unsynced) {
            if (failure != null) {
                return;
            }
            for (CommittedEntry e; (e = unsynced.peekFirst()) != null && e.index() <= index; ) {
                unsynced.pollFirst();
                applyLoop.committed(e);
                committed = e.index();
            }
        }
    }

    private void fail(Throwable cause) {
        if (!failed.compareAndSet(false, true)) {
            return;
        }
        failure = cause;
        synchronized (unsynced) {
            unsynced.clear();
        }
        LOG.log(System.Logger.Level.ERROR, "write-ahead log failed; the member stops serving writes", cause);
        onFatal.accept(cause);
    }

    /** The failure that stopped this proposer, or null. */
    public Throwable failure() {
        return failure;
    }

    /** The highest durable index handed to the apply loop. */
    @Override
    public long committedIndex() {
        return committed;
    }

    @Override
    public long term() {
        return term;
    }

    /** After this returns no append is in progress and none starts. */
    @Override
    public void stop() {
        appendLock.lock();
        try {
            stopped = true;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Linearizable reads wait for every entry that is durable (hence possibly acknowledged) when the
     * read arrives; entries still in flight were acknowledged to nobody.
     */
    @Override
    public CompletableFuture<Long> readIndex() {
        if (failure != null) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        return CompletableFuture.completedFuture(committed);
    }
}
