package dev.etcetera.journal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The waiters of one synced group, woken in a cascade instead of one by one on the sync thread.
 *
 * <p>Why: with many appenders, waking each blocked thread costs the waker a system call (a futex
 * wake for a platform thread). Done serially on the sync thread, ~80 wake-ups took several times
 * as long as the fdatasync itself, and the next group waited for them. Completing a future and
 * waking its waiter are therefore split: the completer completes every future of the group in
 * call order (a CAS each, plus dependent actions; the order contract holds), registers the
 * waiters that are parked in {@link JournalFuture#get()} here, wakes only a few ({@link #wake})
 * and goes on with the next group; every thread that leaves its wait because its future is done
 * wakes a few more. The wake-ups thus run on both CPUs and off the sync thread's path.
 *
 * <p>Liveness: an entry is claimed exactly once (shared cursor). A claimer that finds the entry's
 * thread still registered unparks it, and that thread, once it sees its future done, wakes more in
 * turn ({@link JournalFuture}); a claimer that finds the thread already gone (it saw its future
 * done by itself, and then woke others itself) claims the next entry instead. So every registered
 * waiter is unparked, whichever threads run.
 *
 * <p>Thread-safe after {@link #publish()}; {@link #add} is for the completer only, before it.
 */
final class WakeList {

    /** How many waiters a woken thread wakes in turn: a tree of depth log2(waiters). */
    static final int FANOUT = 2;

    private final JournalFuture[] waiters;
    private int added;
    /** Entries visible to wakers; 0 until {@link #publish()}. */
    private volatile int published;
    private final AtomicInteger next = new AtomicInteger();

    WakeList(int capacity) {
        this.waiters = new JournalFuture[capacity];
    }

    /** Completer only, before {@link #publish()}: {@code f} is done and had a thread parked on it. */
    void add(JournalFuture f) {
        waiters[added++] = f;
    }

    /** Completer only: makes the added entries visible to wakers. */
    void publish() {
        published = added;
    }

    /** Number of entries published (for tests). */
    int size() {
        return published;
    }

    /**
     * Unparks up to {@code count} registered waiters not yet claimed by anyone. Entries whose
     * thread is no longer waiting do not count. Any thread.
     */
    void wake(int count) {
        int n = published;
        int woken = 0;
        while (woken < count) {
            // Claim only published entries: a claim taken before publish() (by a waiter that
            // left early) would use up an entry without waking its thread.
            if (next.get() >= n) {
                return;
            }
            int i = next.getAndIncrement();
            if (i >= n) {
                return;
            }
            Thread t = waiters[i].waiter();
            if (t != null) {
                LockSupport.unpark(t);
                woken++;
            }
        }
    }
}
