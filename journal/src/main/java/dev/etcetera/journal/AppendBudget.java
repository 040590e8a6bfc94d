package dev.etcetera.journal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Append backpressure: a bound on the bytes of records accepted but not yet durable (queued,
 * being written, or written and waiting for their fdatasync). An appender that would go over the
 * bound waits until syncs release enough, so a disk slower than the appenders stalls them instead
 * of growing the queue (and the heap) without end.
 *
 * <p>One call is always admitted when nothing is pending, however large, so a batch bigger than
 * the bound cannot wait forever. {@link #force} admits without waiting: the journal uses it for
 * calls made on its own threads (a completion callback that appends), which must never wait for
 * a sync that only they could run.
 *
 * <p>Thread-safe. The fast path (room available) is one CAS; the lock is touched only when some
 * appender waits.
 */
final class AppendBudget {

    private final long limit;
    private final AtomicLong pending = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    /** Appenders inside {@link #acquire}'s slow path. Written under lock, read without it. */
    private volatile int waiters;
    private volatile boolean open = true;

    AppendBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes accepted and not yet released (for tests and diagnostics). */
    long pending() {
        return pending.get();
    }

    /** Number of appenders currently waiting for room (for tests and diagnostics). */
    int waiters() {
        return waiters;
    }

    private boolean tryAcquire(long bytes) {
        while (true) {
            long p = pending.get();
            if (p > 0 && p + bytes > limit) {
                return false;
            }
            if (pending.compareAndSet(p, p + bytes)) {
                return true;
            }
        }
    }

    /**
     * Takes {@code bytes} of the budget, waiting while the bound would be exceeded. Does not react
     * to interrupts (the interrupt status is kept): the wait ends when syncs release room or the
     * journal stops ({@link #stop}).
     *
     * @return true once acquired; false if the budget was stopped first (nothing acquired)
     */
    boolean acquire(long bytes) {
        if (tryAcquire(bytes)) {
            return true;
        }
        lock.lock();
        try {
            waiters++;
            try {
                // waiters is raised before this re-check, and release() lowers pending before it
                // reads waiters: one of the two always sees the other (no lost wake-up).
                while (open) {
                    if (tryAcquire(bytes)) {
                        return true;
                    }
                    released.awaitUninterruptibly();
                }
                return false;
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes {@code bytes} without waiting, even beyond the bound. */
    void force(long bytes) {
        pending.addAndGet(bytes);
    }

    /** Gives back {@code bytes}, waking waiting appenders if any. */
    void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        pending.addAndGet(-bytes);
        if (waiters > 0) {
            signalAll();
        }
    }

    /** Wakes every waiting appender for good: later acquires return false at once if they would wait. */
    void stop() {
        open = false;
        signalAll();
    }

    private void signalAll() {
        lock.lock();
        try {
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
