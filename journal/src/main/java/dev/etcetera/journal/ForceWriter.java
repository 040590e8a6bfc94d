package dev.etcetera.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The file journal's sync thread (BookKeeper's force-write thread): takes every group the writer
 * has written so far, fdatasyncs each segment they touch once, records the new durable end, then
 * completes their futures in order. One sync thus acknowledges everything written while the
 * previous sync ran (group commit).
 *
 * <p>Runs on its own thread ({@link #run()}); {@link #submit} is called by the writer thread only.
 * Stops when it takes {@link #CLOSE}, which the writer submits after its last group, so every
 * submitted future is completed exactly once.
 */
final class ForceWriter implements Runnable {

    /** A group the writer wrote, up to {@code position} of {@code segment}, waiting for its sync. */
    record SyncRequest(SegmentFile segment, long position, SnapshotMarker snapshot,
                       List<CompletableFuture<Void>> futures, long bytes, long firstEnqueuedNanos) {
    }

    /** The writer's last submission. */
    static final SyncRequest CLOSE = new SyncRequest(null, 0, null, List.of(), 0, 0);

    /** What the sync thread needs from the journal that owns it. */
    interface Owner {
        /** True while the writer is writing a group or appends wait in its queue. */
        boolean moreComing();

        /** The failure that stopped the journal, or {@code null}. */
        Throwable failure();

        /** Stops the journal for good (see {@code FileJournal}). */
        void fail(Throwable cause);

        /** Everything up to {@code last} is durable; called before any of its futures completes. */
        void synced(SyncRequest last, int calls);
    }

    private final LinkedBlockingQueue<SyncRequest> requests = new LinkedBlockingQueue<>();
    private final Owner owner;
    private final long maxGroupWaitNanos;
    private final long maxBatchBytes;
    private final Failpoint failpoint;

    ForceWriter(Owner owner, long maxGroupWaitNanos, long maxBatchBytes, Failpoint failpoint) {
        this.owner = owner;
        this.maxGroupWaitNanos = maxGroupWaitNanos;
        this.maxBatchBytes = maxBatchBytes;
        this.failpoint = failpoint;
    }

    /** Queues a written group (or {@link #CLOSE}). Writer thread only. */
    void submit(SyncRequest request) {
        requests.add(request);
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
            boolean closeSeen = false;
            try {
                closeSeen = collectGroup(group);
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
                    for (SyncRequest r : group) {
                        r.futures().forEach(f -> f.complete(null));
                    }
                } else {
                    failGroup(group);
                }
            } catch (Throwable t) {
                owner.fail(t);
                failGroup(group);
            }
            if (closeSeen) {
                return;
            }
        }
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

    private void failGroup(List<SyncRequest> group) {
        Throwable f = owner.failure();
        JournalFailedException ex = new JournalFailedException("journal failed: " + f, f);
        for (SyncRequest r : group) {
            r.futures().forEach(fu -> fu.completeExceptionally(ex));
        }
    }
}
