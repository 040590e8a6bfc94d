package dev.etcetera.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The file journal's force-write stage (BookKeeper's force-write thread): fdatasyncs what the
 * writer wrote, records the new durable end, then completes the futures in order. One sync thus
 * acknowledges everything written while the previous sync ran (group commit).
 *
 * <p>Two ways in, both decided by the holder of the journal's write token, so that a sync and the completions it
 * makes always follow every earlier one:
 * <ul>
 *   <li>{@link #syncInline}: the writer syncs a group itself, on its own thread. Allowed only when
 *       this stage is {@link #idle()} (nothing submitted is still unsynced) and nothing more is
 *       queued behind the group; this is the lone-appender path, and saves the hand-off to the
 *       sync thread and back.</li>
 *   <li>{@link #submit}: the group goes to the sync thread ({@link #run()}), which takes every
 *       group submitted so far (waiting up to {@code maxGroupWait} for groups already on their
 *       way, up to {@code maxBatchBytes}) and syncs them with one fdatasync per segment touched.
 *       Appends queued meanwhile wait (the journal's writers do not write small appends while a
 *       sync is in flight); each time this thread has synced everything submitted it asks the
 *       journal to write them ({@link Owner#syncsDone()}), and syncs that group next, inline or
 *       through its own queue.</li>
 * </ul>
 * Stops when the sync thread takes {@link #CLOSE}, which the writer submits after its last
 * group, so every future is completed exactly once.
 */
final class ForceWriter implements Runnable {

    /**
     * A group the writer wrote, up to {@code position} of {@code segment}, waiting for its sync.
     * {@code bytes} is what its appends hold of the pending-bytes budget.
     */
    record SyncRequest(SegmentFile segment, long position, SnapshotMarker snapshot,
                       List<CompletableFuture<Void>> futures, long bytes, long firstEnqueuedNanos) {
    }

    /** The writer thread's last submission. */
    static final SyncRequest CLOSE = new SyncRequest(null, 0, null, List.of(), 0, 0);

    /** What the force-write stage needs from the journal that owns it. */
    interface Owner {
        /** True while a token holder is writing a group, or a backlog it will write is queued. */
        boolean moreComing();

        /**
         * Called on the sync thread each time every submitted group is synced and completed, so
         * that appends queued meanwhile are written and synced without waiting for a writer.
         */
        void syncsDone();

        /** The failure that stopped the journal, or {@code null}. */
        Throwable failure();

        /** Stops the journal for good (see {@code FileJournal}). */
        void fail(Throwable cause);

        /**
         * Everything up to {@code last} is durable; called before any of the group's futures
         * completes.
         */
        void synced(SyncRequest last, int calls);

        /** The group's appends left the journal (durable or failed): {@code bytes} of budget are free. */
        void released(long bytes);
    }

    private final LinkedBlockingQueue<SyncRequest> requests = new LinkedBlockingQueue<>();
    private final Owner owner;
    private final long maxGroupWaitNanos;
    private final long maxBatchBytes;
    private final Failpoint failpoint;
    /**
     * Groups submitted or being synced inline (CLOSE excluded). Written by the token holder only
     * (the lock orders them).
     */
    private volatile long submitted;
    /**
     * Of those, the groups synced (or failed) and whose futures are all completed. Written by the
     * sync thread, or by the token holder after an inline sync (only while idle, so never by both
     * at once).
     */
    private volatile long finished;

    ForceWriter(Owner owner, long maxGroupWaitNanos, long maxBatchBytes, Failpoint failpoint) {
        this.owner = owner;
        this.maxGroupWaitNanos = maxGroupWaitNanos;
        this.maxBatchBytes = maxBatchBytes;
        this.failpoint = failpoint;
    }

    /**
     * True when no sync is in flight: every submitted group is synced and completed, and no
     * inline sync runs. The token holder may then sync inline without overtaking anything (once
     * true it stays true until a holder submits or syncs again); for others it is a hint.
     */
    boolean idle() {
        return finished == submitted;
    }

    /** Queues a written group (or {@link #CLOSE}) for the sync thread. Token holder only. */
    void submit(SyncRequest request) {
        if (request != CLOSE) {
            submitted = submitted + 1; // single writer: no lost update
        }
        requests.add(request);
    }

    /**
     * Syncs {@code request} and completes its futures on the calling thread. Token holder only,
     * and only while {@link #idle()}: then no other sync runs and every earlier future is done.
     */
    void syncInline(SyncRequest request) {
        submitted = submitted + 1; // not idle meanwhile: writers leave new appends for later
        syncGroup(List.of(request));
    }

    @Override
    public void run() {
        List<SyncRequest> group = new ArrayList<>();
        while (true) {
            group.clear();
            SyncRequest first;
            try {
                first = requests.take();
            } catch (InterruptedException e) {
                owner.fail(e);
                continue;
            }
            if (first == CLOSE) {
                return;
            }
            group.add(first);
            boolean closeSeen;
            try {
                closeSeen = collectGroup(group);
            } catch (InterruptedException e) {
                owner.fail(e);
                closeSeen = false;
            }
            syncGroup(group);
            if (closeSeen) {
                return;
            }
            if (requests.isEmpty()) {
                owner.syncsDone();
            }
        }
    }

    /**
     * One fdatasync per segment the group touches, then the durable mark, then the futures in
     * order. Any failure is fatal and fails the whole group.
     */
    private void syncGroup(List<SyncRequest> group) {
        long bytes = 0;
        for (SyncRequest r : group) {
            bytes += r.bytes();
        }
        JournalFailedException failed = null;
        try {
            if (owner.failure() == null) {
                failpoint.hit("before-sync");
                SegmentFile forced = null;
                int calls = 0;
                for (SyncRequest r : group) {
                    if (r.segment() != forced) {
                        r.segment().force();
                        forced = r.segment();
                    }
                    calls += r.futures().size();
                }
                owner.synced(group.getLast(), calls);
            } else {
                failed = failedException();
            }
        } catch (Throwable t) {
            owner.fail(t);
            failed = failedException();
        }
        owner.released(bytes);
        for (SyncRequest r : group) {
            for (CompletableFuture<Void> f : r.futures()) {
                if (failed == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failed);
                }
            }
        }
        finished = finished + group.size(); // one writer at a time: no lost update
    }

    /**
     * Adds to {@code group} every request already queued, then keeps waiting for more while the
     * writer is still producing, until {@code maxGroupWait} after the first append of the group
     * or {@code maxBatchBytes} are covered. Never waits when nothing more is coming, so a lone
     * appender pays no delay.
     *
     * @return whether {@link #CLOSE} was taken
     */
    private boolean collectGroup(List<SyncRequest> group) throws InterruptedException {
        long bytes = group.getFirst().bytes();
        long deadline = group.getFirst().firstEnqueuedNanos() + maxGroupWaitNanos;
        while (bytes < maxBatchBytes) {
            SyncRequest next = requests.poll();
            if (next == null) {
                long wait = deadline - System.nanoTime();
                if (wait <= 0 || !owner.moreComing()) {
                    return false;
                }
                next = requests.poll(wait, TimeUnit.NANOSECONDS);
                if (next == null) {
                    return false;
                }
            }
            if (next == CLOSE) {
                return true;
            }
            group.add(next);
            bytes += next.bytes();
        }
        return false;
    }

    private JournalFailedException failedException() {
        Throwable f = owner.failure();
        return new JournalFailedException("journal failed: " + f, f);
    }
}
