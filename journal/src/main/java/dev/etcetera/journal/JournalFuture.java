package dev.etcetera.journal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The future {@link FileJournal} returns: a plain {@link CompletableFuture} except that a thread
 * about to block in {@link #get()}, {@link #get(long, TimeUnit)} or {@link #join()} first offers
 * to do the journal's pending work itself ({@link FileJournal#help}): write the queued appends
 * and, when no other sync is in flight, fdatasync them and complete their futures. A thread that
 * waits for its own append would otherwise sleep while two other threads take turns at it.
 *
 * <p>Threads that do not help (they wait as usual): interrupted threads, threads already doing
 * journal work (a completion callback), and virtual threads unless their append is all that is
 * queued (a lone appender; otherwise file I/O would pin carriers that other virtual threads need).
 *
 * <p>Completion rules are those of the journal: only after the records are durable, in call
 * order. Dependent stages ({@code thenRun}, ...) are plain futures and do not help. A timed
 * {@code get} may overrun its timeout by the time one group takes to write and sync.
 */
final class JournalFuture extends CompletableFuture<Void> {

    private final FileJournal journal;

    JournalFuture(FileJournal journal) {
        this.journal = journal;
    }

    @Override
    public Void get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            journal.help(this);
        }
        return super.get();
    }

    @Override
    public Void get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            journal.help(this);
        }
        return super.get(timeout, unit);
    }

    @Override
    public Void join() {
        if (!isDone()) {
            journal.help(this);
        }
        return super.join();
    }

    /** Dependent stages are plain futures: they neither help nor keep the journal reachable. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
