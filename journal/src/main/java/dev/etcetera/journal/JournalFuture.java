package dev.etcetera.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The future {@link FileJournal} returns: a plain {@link CompletableFuture} except for how a
 * thread waits in {@link #get()}, {@link #get(long, TimeUnit)} or {@link #join()}:
 * <ul>
 *   <li>a platform thread about to block first offers to do the journal's pending work itself
 *       ({@link FileJournal#help}): write the queued appends and, when no other sync is in
 *       flight, fdatasync them and complete their futures. A thread that waits for its own
 *       append would otherwise sleep while two other threads take turns at it. A virtual thread
 *       helps only as a lone appender (its append is all that is queued; otherwise file I/O would
 *       pin carriers that other virtual threads need); interrupted threads and threads already
 *       doing journal work (a completion callback) do not help;</li>
 *   <li>the first thread to wait parks on this future directly rather than in the
 *       {@code CompletableFuture}'s own wait stack, so that completing the future does not wake
 *       it: the completer completes futures in call order and leaves the wake-ups to a
 *       {@link WakeList} cascade, in which this thread, once woken, wakes others of its group.
 *       Further concurrent waiters on the same future wait the usual way.</li>
 * </ul>
 *
 * <p>Completion rules are those of the journal: only after the records are durable, in call
 * order. Dependent stages ({@code thenRun}, ...) are plain futures and do not help. A timed
 * {@code get} may overrun its timeout by the time one group takes to write and sync.
 */
final class JournalFuture extends CompletableFuture<Void> {

    private static final VarHandle WAITER;

    static {
        try {
            WAITER = MethodHandles.lookup().findVarHandle(JournalFuture.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FileJournal journal;
    /** The thread parked in {@link #await} on this future, or null. */
    @SuppressWarnings("unused") // through WAITER
    private volatile Thread waiter;
    /**
     * The group's wake cascade. Set by the completer before it completes this future (the
     * completion publishes it); read by the waiter once it sees the future done.
     */
    private WakeList wakeList;

    JournalFuture(FileJournal journal) {
        this.journal = journal;
    }

    /** The thread parked on this future, or null. */
    Thread waiter() {
        return waiter;
    }

    /**
     * Completer only: completes this future normally (running dependents in order, on this
     * thread) and, if a thread is parked on it, registers it in {@code list} instead of waking it.
     */
    void completeInto(WakeList list) {
        wakeList = list;
        super.complete(null);
        // The waiter registers before it re-checks isDone, and this reads it after completing:
        // either it sees the completion and does not park, or it is registered here.
        if (waiter != null) {
            list.add(this);
        }
    }

    // Every other way to complete wakes the parked thread directly.

    @Override
    public boolean complete(Void value) {
        boolean done = super.complete(value);
        wakeWaiter();
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        boolean done = super.completeExceptionally(ex);
        wakeWaiter();
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = super.cancel(mayInterruptIfRunning);
        wakeWaiter();
        return done;
    }

    @Override
    public void obtrudeValue(Void value) {
        super.obtrudeValue(value);
        wakeWaiter();
    }

    @Override
    public void obtrudeException(Throwable ex) {
        super.obtrudeException(ex);
        wakeWaiter();
    }

    private void wakeWaiter() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public Void get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            journal.help(this);
            if (!isDone()) {
                await(true, false, 0);
            }
        }
        return super.get();
    }

    @Override
    public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            long deadline = System.nanoTime() + unit.toNanos(timeout);
            journal.help(this);
            if (!isDone()) {
                await(true, true, deadline);
                return super.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        }
        return super.get(timeout, unit);
    }

    @Override
    public Void join() {
        if (!isDone()) {
            journal.help(this);
            if (!isDone()) {
                try {
                    await(false, false, 0);
                } catch (InterruptedException e) {
                    throw new AssertionError("uninterruptible wait threw", e);
                }
            }
        }
        return super.join();
    }

    /**
     * Parks until this future is done (or, when {@code timed}, the deadline passes; or, when
     * {@code interruptible}, the thread is interrupted), then wakes others of the group if the
     * future is done. Falls back to returning at once (the caller then waits the usual way) when
     * another thread already parks here. An uninterruptible wait keeps the interrupt status.
     */
    private void await(boolean interruptible, boolean timed, long deadline) throws InterruptedException {
        Thread me = Thread.currentThread();
        if (!WAITER.compareAndSet(this, null, me)) {
            return;
        }
        boolean interrupted = false;
        try {
            while (!isDone()) {
                if (Thread.interrupted()) {
                    if (interruptible) {
                        throw new InterruptedException();
                    }
                    interrupted = true;
                }
                if (!timed) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            waiter = null;
            // Whoever leaves a done future's wait passes the wake-ups on (see WakeList): it may
            // have been claimed and unparked by someone counting on that.
            if (isDone()) {
                WakeList list = wakeList;
                if (list != null) {
                    list.wake(WakeList.FANOUT);
                }
            }
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    /** Dependent stages are plain futures: they neither help nor keep the journal reachable. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
