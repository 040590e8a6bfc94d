package dev.etcetera.journal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The file-backed journal: segment files in one directory, one writer thread, one sync thread
 * (BookKeeper's journal and force-write threads), plus helping waiters.
 *
 * <p>Flow: a caller encodes its records (CRC32C computed on the caller's thread), takes room in
 * the pending-bytes budget (blocking when {@code maxPendingBytes} are not yet durable), then
 * validates and queues them atomically. Whoever holds the <em>write token</em> drains the queue
 * (up to {@code maxBatchBytes}), copies the records into a direct buffer and writes them to the
 * current segment with one call, rotating to a new segment when one is full. Then:
 * <ul>
 *   <li>if the sync thread has nothing in flight and nothing more is queued, the holder
 *       fdatasyncs the group itself and completes its futures (no hand-off for a lone
 *       appender; appends arriving meanwhile form the next group);</li>
 *   <li>otherwise it hands the group to the sync thread ({@link ForceWriter}), which takes every
 *       group submitted so far (waiting up to {@code maxGroupWait} for groups still being
 *       written, up to {@code maxBatchBytes}), fdatasyncs once per segment touched, and completes
 *       the futures in order.</li>
 * </ul>
 * While a sync is in flight nobody writes small appends: they queue, and when the sync is done
 * the sync thread takes them all ({@link #writeAfterSync}), writes them with one call and syncs
 * them: group commit with one write and one fdatasync per group. Writing them one hand-off at a
 * time as they came (as this class did before) made none durable sooner and cost a write call
 * per two appends with 128 platform-thread appenders. Only a backlog of {@link #PREWRITE_BYTES}
 * is written ahead by the writer thread, so that large batches reach the page cache while the
 * disk is busy.
 * Measured and not adopted (2 vCPUs, 128 closed-loop appenders): holding a group open after a
 * sync until about the previous group's bytes are queued again (bounded wait, helpers kept out)
 * raised appends per fdatasync from ~55 to ~75-100 but lowered the rate (virtual threads 120k/s
 * against 165k/s median, platform 48k/s against 102k/s): the CPUs idle while the group gathers
 * and then while it syncs. Completing futures on a separate thread so that the sync thread writes
 * and syncs the next group at once cut appends per fdatasync (platform 29-37 against 71-91,
 * virtual 44-47 against ~55) and lost rate too (an fdatasync costs ~75 us of CPU on that VM, so
 * more, smaller syncs take CPU the appenders need).
 * The token holder is the writer thread, the sync thread after a sync, or a caller that is about
 * to block on one of this journal's futures ({@link JournalFuture}) while no sync is in flight:
 * rather than sleep while the writer and sync threads take turns at its append, it does the work
 * itself when nobody else is doing it.
 *
 * <p>A directory lock ({@code LOCK}) keeps a second process out. See {@link Journal} for the
 * contract and {@code package-info.java} for the format.
 */
public final class FileJournal implements Journal {

    private static final System.Logger LOG = System.getLogger(FileJournal.class.getName());
    private static final int PRELUDE_MAX_BYTES = 3 * RecordFrame.HEADER_BYTES + RecordFrame.HEADER_BODY_BYTES
            + RecordFrame.STATE_BODY_BYTES + RecordFrame.SNAPSHOT_BODY_BYTES;

    /**
     * Queued by a caller; owned by the writer once taken. Holds {@code frames.length} bytes of the
     * budget. {@code callerMayHelp}: the caller is a platform thread, which may do the journal's work
     * while it waits (see {@link #help}); a virtual caller helps only while its append is alone.
     */
    private record Pending(List<StoredRecord> records, byte[] frames, int[] ends, CompletableFuture<Void> future,
                           long enqueuedNanos, boolean callerMayHelp) {
    }


    /** What is known durable: everything up to {@code position} of segment {@code seq}. */
    private record DurableMark(long seq, long position, SnapshotMarker snapshot) {
    }

    /**
     * How long the writer thread leaves a fresh append to a caller that may help with it. Bounds
     * the delay it adds for callers that do not wait (callbacks): small beside an fdatasync.
     */
    static final long HELP_GRACE_NANOS = 20_000;

    /**
     * Queued bytes from which the writer writes even while a sync is in flight, so that a large
     * backlog reaches the page cache while the disk is busy. Below it, appends queued during a
     * sync wait for that sync to end and are then written with one call and synced at once:
     * writing them piecemeal would cost a write call and a thread hand-off per few appends
     * without making any of them durable sooner.
     */
    static final long PREWRITE_BYTES = 64 * 1024;

    private static final Pending CLOSE = new Pending(List.of(), new byte[0], new int[0], null, 0, false);

    private final JournalOptions options;
    private final Path dir;
    private final Consumer<Throwable> onFatal;
    private final Failpoint failpoint;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final long maxRecordBytes;
    private final long maxGroupWaitNanos;

    private final Object appendLock = new Object();
    /** State after every call accepted so far. Guarded by appendLock. */
    private final LogTracker accepted;
    /** Guarded by appendLock. */
    private boolean closing;
    /**
     * Appends in call order. Added to under appendLock; taken from only by the holder of
     * writeToken (and drained by {@link #fail}). {@link #CLOSE} is always the last element ever.
     */
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** Bytes of the appends in {@link #queue} (not yet taken by a writer). */
    private final AtomicLong queuedBytes = new AtomicLong();
    /**
     * The right to take from the queue, write, and sync inline or hand a group to the sync
     * thread: held by the writer thread, or by a caller blocked on a journal future that does the
     * work itself instead of waiting for the writer (see {@link #help}). Everything marked
     * "token holder only" is guarded by it.
     */
    private final ReentrantLock writeToken = new ReentrantLock();
    /** Set while the writer thread is (about to be) parked; appenders and token holders unpark it. */
    private volatile boolean writerParked;
    /** Backpressure: bytes accepted but not yet durable. */
    private final AppendBudget budget;

    /** Token holder only (and close, after the writer stopped). */
    private final SegmentWriter segmentWriter;
    private volatile boolean writerBusy;

    private final ForceWriter forceWriter;

    private final Object segmentsLock = new Object();
    /** Segments on disk, ascending. Guarded by segmentsLock. */
    private final List<SegmentName> segments;
    private volatile DurableMark durable;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Serializes replay and release (release deletes files a replay reads). */
    private final Object maintenanceLock = new Object();

    private final AtomicLong appends = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong segmentsCreated = new AtomicLong();

    private final Thread writerThread;
    private final Thread syncThread;
    private final List<String> recoveryRepairs;

    private FileJournal(JournalOptions options, Consumer<Throwable> onFatal, Failpoint failpoint,
                        FileChannel lockChannel, FileLock lock, JournalRecovery.Recovered recovered) {
        this.options = options;
        this.dir = options.dir();
        this.onFatal = onFatal;
        this.failpoint = failpoint;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.maxRecordBytes = options.segmentBytes() - PRELUDE_MAX_BYTES - RecordFrame.SEAL_FRAME_BYTES;
        this.maxGroupWaitNanos = options.maxGroupWait().toNanos();
        this.recoveryRepairs = recovered.repairs();
        this.budget = new AppendBudget(options.maxPendingBytes());
        LogTracker t = recovered.tracker();
        this.accepted = new LogTracker(t.lastIndex(), t.hardState(), t.snapshot());
        this.segments = new ArrayList<>(recovered.segments());
        this.durable = new DurableMark(recovered.tail().seq(), recovered.tail().position(), t.snapshot());
        this.segmentWriter = new SegmentWriter(options, failpoint, recovered.tail(),
                new LogTracker(t.lastIndex(), t.hardState(), t.snapshot()),
                Executors.newSingleThreadExecutor(r -> daemon(r, "journal-preallocate")), created -> {
                    synchronized (segmentsLock) {
                        segments.add(created);
                    }
                    segmentsCreated.incrementAndGet();
                });
        this.writerThread = daemon(this::writerLoop, "journal-writer");
        this.forceWriter = new ForceWriter(new ForceWriter.Owner() {
            @Override
            public boolean moreComing() {
                return writerBusy || queuedBytes.get() >= PREWRITE_BYTES;
            }

            @Override
            public void syncsDone() {
                writeAfterSync();
            }

            @Override
            public Throwable failure() {
                return failure.get();
            }

            @Override
            public void fail(Throwable cause) {
                FileJournal.this.fail(cause);
            }

            @Override
            public void synced(ForceWriter.SyncRequest last, int calls) {
                durable = new DurableMark(last.segment().seq(), last.position(), last.snapshot());
                syncs.incrementAndGet();
                appends.addAndGet(calls);
            }

            @Override
            public void released(long bytes) {
                budget.release(bytes);
            }
        }, maxGroupWaitNanos, options.maxBatchBytes(), failpoint);
        this.syncThread = daemon(forceWriter, "journal-sync");
        writerThread.start();
        syncThread.start();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens (creating if needed) the journal in {@code options.dir()}: checks every segment,
     * truncates a torn tail, and starts the writer and sync threads.
     *
     * @param onFatal told once, on the journal's thread, when a write or sync fails; the member
     *                should stop (see {@link Journal})
     * @throws JournalCorruptionException if a segment is damaged before its tail or missing
     * @throws IOException                if the directory is locked by another process or unreadable
     */
    public static FileJournal open(JournalOptions options, Consumer<Throwable> onFatal) throws IOException {
        return open(options, onFatal, Failpoint.NONE);
    }

    static FileJournal open(JournalOptions options, Consumer<Throwable> onFatal, Failpoint failpoint)
            throws IOException {
        options.validate();
        Files.createDirectories(options.dir());
        FileChannel lockChannel = FileChannel.open(options.dir().resolve("LOCK"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by this JVM
        } catch (IOException | RuntimeException e) {
            lockChannel.close();
            throw e;
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("journal directory " + options.dir() + " is locked by another process");
        }
        try {
            JournalRecovery.Recovered recovered = JournalRecovery.recover(options.dir(), options.segmentBytes());
            return new FileJournal(options, onFatal, failpoint, lockChannel, lock, recovered);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    // ---- caller side ----

    @Override
    public CompletableFuture<Void> append(JournalBatch batch) {
        List<StoredRecord> records = new ArrayList<>(batch.entries().size() + 1);
        for (JournalEntry e : batch.entries()) {
            records.add(new StoredRecord.Entry(e));
        }
        if (batch.hardState() != null) {
            records.add(new StoredRecord.State(batch.hardState()));
        }
        return submit(encode(records), () -> {
            accepted.checkBatch(batch);
            accepted.applyBatch(batch);
        });
    }

    @Override
    public CompletableFuture<Void> saveSnapshot(SnapshotMarker marker) {
        return submit(encode(List.of(new StoredRecord.Snapshot(marker))), () -> {
            accepted.checkSnapshot(marker);
            accepted.applySnapshot(marker);
        });
    }

    /**
     * Admits {@code p} against the append budget, then, under the append lock, checks and records
     * what it adds ({@code accept}, which throws if the journal refuses it) and queues it; the budget
     * is given back if it is not queued.
     */
    private CompletableFuture<Void> submit(Pending p, Runnable accept) {
        admit(p);
        boolean queued = false;
        try {
            synchronized (appendLock) {
                checkOpen();
                accept.run();
                enqueue(p);
                queued = true;
            }
        } finally {
            if (!queued) {
                budget.release(p.frames().length);
            }
        }
        return p.future();
    }

    /**
     * Takes the call's bytes from the budget, blocking while more than {@code maxPendingBytes}
     * are pending. Calls on the journal's own threads (completion callbacks) are admitted at once:
     * waiting there would wait for a sync that only that thread can run.
     *
     * @throws JournalFailedException if the journal failed or closed while the caller waited
     */
    private void admit(Pending p) {
        Thread me = Thread.currentThread();
        if (me == writerThread || me == syncThread || writeToken.isHeldByCurrentThread()) {
            budget.force(p.frames().length);
        } else if (!budget.acquire(p.frames().length)) {
            synchronized (appendLock) {
                checkOpen();
            }
            throw new JournalFailedException("journal stopped while the append waited for room", null);
        }
    }

    private Pending encode(List<StoredRecord> records) {
        int total = 0;
        int[] ends = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            int n = RecordFrame.frameBytes(records.get(i));
            if (n > maxRecordBytes) {
                throw new IllegalArgumentException("record of " + n + " bytes does not fit in a segment of "
                        + options.segmentBytes() + " bytes (--journal-segment-bytes)");
            }
            total += n;
            ends[i] = total;
        }
        byte[] frames = new byte[total];
        ByteBuffer out = ByteBuffer.wrap(frames);
        for (StoredRecord r : records) {
            RecordFrame.encode(r, out);
        }
        CompletableFuture<Void> future = new JournalFuture(this);
        return new Pending(records, frames, ends, future, System.nanoTime(), !Thread.currentThread().isVirtual());
    }

    private void checkOpen() {
        Throwable f = failure.get();
        if (f != null) {
            throw new JournalFailedException("journal failed earlier: " + f, f);
        }
        if (closing) {
            throw new JournalFailedException("journal is closed", null);
        }
    }

    /**
     * What opening had to repair (torn tail truncated, interrupted rotation undone), one line per
     * repair, empty after a clean shutdown. Also logged as warnings; worth exposing as a metric.
     */
    public List<String> recoveryRepairs() {
        return recoveryRepairs;
    }

    @Override
    public long lastIndex() {
        synchronized (appendLock) {
            return accepted.lastIndex();
        }
    }

    @Override
    public JournalStats stats() {
        return new JournalStats(appends.get(), syncs.get(), bytesWritten.get(), segmentsCreated.get());
    }

    // ---- writer thread ----

    /** Appender side, under appendLock. */
    private void enqueue(Pending p) {
        queuedBytes.addAndGet(p.frames().length);
        queue.add(p);
        // While a sync is in flight the sync thread takes the queue when it ends (writeAfterSync):
        // no wake-up here, one per append would cost more than the write it starts.
        if (writerParked && (p == CLOSE || forceWriter.idle() || queuedBytes.get() >= PREWRITE_BYTES)) {
            LockSupport.unpark(writerThread);
        }
    }

    /**
     * Whether the queue holds work a writer should take now: {@link #CLOSE}, or appends while no
     * sync is in flight, or a backlog of at least {@link #PREWRITE_BYTES}. Appends queued during
     * a sync are otherwise left for {@link #writeAfterSync}.
     */
    private boolean writable() {
        Pending head = queue.peek();
        return head != null && (head == CLOSE || forceWriter.idle() || queuedBytes.get() >= PREWRITE_BYTES);
    }

    /**
     * Sync thread, each time it has completed every group submitted so far: writes what was queued
     * during the sync and syncs it (on this thread, inline when nothing else is queued; otherwise
     * it submits the group to itself). Leaves the work to a writer that holds the token, and wakes
     * the writer thread for what only it takes ({@link #CLOSE}).
     */
    private void writeAfterSync() {
        while (isWork(queue.peek()) && forceWriter.idle() && writeToken.tryLock()) {
            try {
                writeGroup(true);
            } finally {
                writeToken.unlock();
            }
        }
        if (writerParked && writable()) {
            LockSupport.unpark(writerThread);
        }
    }

    /**
     * The writer thread: whenever appends are queued and nobody holds the write token, takes the
     * token and writes everything queued (see {@link #writeGroup}). Parks otherwise; woken by
     * {@link #enqueue} and by a token holder that leaves work behind ({@link #releaseToken}).
     */
    private void writerLoop() {
        while (true) {
            graceForHelpers();
            if (writable() && writeToken.tryLock()) {
                boolean stop = false;
                try {
                    while (!stop && writable()) {
                        stop = writeGroup(false);
                    }
                } finally {
                    writeToken.unlock();
                }
                if (stop) {
                    return;
                }
                continue;
            }
            writerParked = true;
            // Re-check after announcing the park: an appender adds before it reads writerParked,
            // a token holder unlocks before it does, the sync thread marks itself idle before it
            // does; one side always sees the other.
            if (!writable() || writeToken.isLocked()) {
                LockSupport.park(this);
            }
            writerParked = false;
            if (Thread.interrupted()) {
                fail(new InterruptedException("journal writer thread interrupted"));
            }
        }
    }

    /**
     * Leaves a just-queued append to its caller for up to {@link #HELP_GRACE_NANOS}: the writer
     * thread is woken by the append and would otherwise usually take the work from a caller that
     * is about to help (see {@link #help}), costing that caller a wake-up. Returns at once when
     * the head append is older or came from a thread that cannot help (a virtual thread whose
     * append is no longer alone, see {@link #helpAlone}), or someone took the token or the queue
     * is empty. Writer thread only.
     */
    private void graceForHelpers() {
        Pending head = queue.peek();
        if (head == null || head == CLOSE) {
            return;
        }
        long until = head.enqueuedNanos() + HELP_GRACE_NANOS;
        while (System.nanoTime() - until < 0 && queue.peek() == head && !writeToken.isLocked()
                && (head.callerMayHelp() || queuedBytes.get() == head.frames().length)) {
            Thread.yield();
        }
    }

    /**
     * Called by a thread about to block on {@code future}: if the journal has queued work and
     * nobody is doing it, does it on this thread (write, and sync inline when the sync thread is
     * idle) instead of waking the writer thread and then being woken itself. A lone appender
     * that waits for its append thus pays no thread hand-off at all, like a plain write+fdatasync
     * loop. Gives up at once when the token is taken, and never runs on a thread that already
     * does journal work (a completion callback), which must not nest. Virtual threads help only
     * as lone appenders ({@link #helpAlone}).
     */
    void help(CompletableFuture<Void> future) {
        Thread me = Thread.currentThread();
        if (me == writerThread || me == syncThread || writeToken.isHeldByCurrentThread()
                || me.isInterrupted()) {
            return;
        }
        if (me.isVirtual()) {
            helpAlone(future);
            return;
        }
        // Stops at CLOSE (only the writer thread takes it for good) and once its own future is
        // done; a group handed to the sync thread completes within about one fdatasync.
        // Only while no sync is in flight: otherwise the queued appends wait for that sync to end
        // whoever writes them, and the sync thread then takes them all at once (writeAfterSync).
        while (!future.isDone() && isWork(queue.peek()) && forceWriter.idle() && writeToken.tryLock()) {
            try {
                writeGroup(true);
            } finally {
                releaseToken();
            }
        }
    }

    /**
     * A virtual thread's help: only when its own append is all that is queued and no sync is in
     * flight (a lone appender), it writes and syncs it itself, saving the two thread hand-offs
     * (wake the writer thread, then be woken by it). Otherwise it does not help: with many
     * virtual appenders, file I/O on their threads would pin carriers (measured: 3x the CPU per
     * append with 128 appenders when every virtual thread helped).
     */
    private void helpAlone(CompletableFuture<Void> future) {
        Pending head = queue.peek();
        if (head == null || head.future() != future || queuedBytes.get() != head.frames().length
                || !forceWriter.idle() || !writeToken.tryLock()) {
            return;
        }
        try {
            if (queue.peek() == head && forceWriter.idle()) {
                writeGroup(true);
            }
        } finally {
            releaseToken();
        }
    }

    private static boolean isWork(Pending head) {
        return head != null && head != CLOSE;
    }

    /** Unlocks the token; wakes the writer thread if work was queued meanwhile. */
    private void releaseToken() {
        writeToken.unlock();
        if (writerParked && writable()) {
            LockSupport.unpark(writerThread);
        }
    }

    /**
     * Token holder only. Takes the queued appends (up to {@code maxBatchBytes}), writes them to the
     * current segment with one write call, then either syncs the group on this thread or hands it
     * to the sync thread (see {@link ForceWriter}). It syncs inline when the sync thread has
     * nothing in flight and nothing is queued behind the group: a lone appender's append is then
     * written and synced without waiting for another thread, and appends that arrive meanwhile
     * form the next group. When more is queued, the group is handed off and the holder goes on
     * writing while the sync runs (pipelining under load).
     *
     * @param helper true on a helping caller's thread: {@link #CLOSE} is left in the queue for
     *               the writer thread, the only one that stops
     * @return true when the writer thread took {@link #CLOSE} and must stop
     */
    private boolean writeGroup(boolean helper) {
        Pending first = queue.poll();
        if (first == null) {
            return false;
        }
        queuedBytes.addAndGet(-first.frames().length);
        if (first == CLOSE) {
            return closeTaken(helper);
        }
        if (failure.get() != null) {
            first.future().completeExceptionally(failedException());
            budget.release(first.frames().length);
            return false;
        }
        writerBusy = true;
        boolean closeSeen = false;
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        futures.add(first.future());
        long bytes = first.frames().length;
        try {
            failpoint.hit("before-write");
            Pending p = first;
            while (true) {
                segmentWriter.write(p.records(), p.frames(), p.ends());
                if (bytes >= options.maxBatchBytes()) {
                    break;
                }
                p = queue.poll();
                if (p == null) {
                    break;
                }
                queuedBytes.addAndGet(-p.frames().length);
                if (p == CLOSE) {
                    closeSeen = true;
                    break;
                }
                futures.add(p.future());
                bytes += p.frames().length;
            }
            segmentWriter.flush();
            bytesWritten.addAndGet(bytes);
            SegmentFile current = segmentWriter.current();
            ForceWriter.SyncRequest request = new ForceWriter.SyncRequest(current, current.position(),
                    segmentWriter.snapshot(), futures, bytes, first.enqueuedNanos());
            // Not busy before the hand-off: the sync thread stops waiting for more as soon as
            // it sees this request and an idle writer with an empty queue.
            writerBusy = false;
            if (forceWriter.idle() && (closeSeen || queue.isEmpty())) {
                forceWriter.syncInline(request);
            } else {
                forceWriter.submit(request);
            }
        } catch (Throwable t) {
            fail(t);
            JournalFailedException ex = failedException();
            futures.forEach(f -> f.completeExceptionally(ex));
            budget.release(bytes);
        } finally {
            writerBusy = false;
        }
        return closeSeen && closeTaken(helper);
    }

    /** The holder took {@link #CLOSE}: the writer thread forwards it and stops; a helper puts it back. */
    private boolean closeTaken(boolean helper) {
        if (helper) {
            queue.add(CLOSE); // nothing can follow CLOSE, so this keeps it last
            return false;
        }
        forceWriter.submit(ForceWriter.CLOSE);
        return true;
    }

    // ---- failure ----

    private JournalFailedException failedException() {
        Throwable f = failure.get();
        return new JournalFailedException("journal failed: " + f, f);
    }

    /**
     * Makes the journal fail for good: later calls throw, queued appends fail, and the writer is
     * told to stop (it forwards the stop to the sync thread after its last request, so every
     * future is completed exactly once).
     */
    private void fail(Throwable cause) {
        if (failure.compareAndSet(null, cause)) {
            LOG.log(Level.ERROR, "journal: write path failed; the journal is stopped and the member must restart",
                    cause);
            try {
                onFatal.accept(cause);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "journal: fatal-error handler threw", e);
            }
        }
        JournalFailedException ex = failedException();
        synchronized (appendLock) {
            // A token holder may be taking from the queue concurrently; each append is taken once.
            for (Pending p = queue.poll(); p != null; p = queue.poll()) {
                queuedBytes.addAndGet(-p.frames().length);
                if (p != CLOSE) {
                    p.future().completeExceptionally(ex);
                    budget.release(p.frames().length);
                }
            }
            enqueue(CLOSE);
        }
        budget.stop();
    }

    // ---- maintenance ----

    @Override
    public Replay replay(long fromIndex) throws IOException {
        if (fromIndex < 1) {
            throw new IllegalArgumentException("fromIndex must be >= 1, got " + fromIndex);
        }
        synchronized (maintenanceLock) {
            DurableMark d = durable;
            List<SegmentName> names = new ArrayList<>();
            synchronized (segmentsLock) {
                for (SegmentName n : segments) {
                    if (n.seq() <= d.seq()) {
                        names.add(n);
                    }
                }
            }
            ReplayBuilder builder = new ReplayBuilder(fromIndex);
            SegmentDirectory.readStrict(dir, names, d.position(), builder);
            long missing = builder.firstMissing();
            if (missing >= 0) {
                throw new JournalCorruptionException(names.getFirst().in(dir), -1, "entries from index " + missing
                        + " are not held: the first segment starts at index " + builder.firstHeld()
                        + " (segments before it were released or are missing)");
            }
            return builder.build();
        }
    }

    @Override
    public int release(long snapshotIndex) throws IOException {
        synchronized (maintenanceLock) {
            DurableMark d = durable;
            if (d.snapshot() == null || d.snapshot().index() < snapshotIndex) {
                throw new IllegalStateException("no durable snapshot marker covers index " + snapshotIndex
                        + " (latest durable: " + d.snapshot() + ")");
            }
            long cutoff = snapshotIndex - options.retainEntries();
            List<SegmentName> doomed = new ArrayList<>();
            synchronized (segmentsLock) {
                for (int i = 0; i + 1 < segments.size(); i++) {
                    SegmentName next = segments.get(i + 1);
                    if (next.firstIndex() - 1 <= cutoff && next.seq() <= d.seq()) {
                        doomed.add(segments.get(i));
                    } else {
                        break;
                    }
                }
            }
            // Oldest first, so that a failure or crash part-way leaves a contiguous sequence.
            try {
                for (SegmentName n : doomed) {
                    Files.delete(n.in(dir));
                    synchronized (segmentsLock) {
                        segments.remove(n);
                    }
                }
            } finally {
                if (!doomed.isEmpty()) {
                    SegmentDirectory.syncDir(dir);
                }
            }
            return doomed.size();
        }
    }

    /**
     * The durable end: {@code {segment seq, byte offset}}. Read on a future's completion callback,
     * it is the end of the group that completed it. For the crash test.
     */
    long[] durablePosition() {
        DurableMark d = durable;
        return new long[] {d.seq(), d.position()};
    }

    /** Bytes accepted but not yet durable, and appenders blocked for room (for tests and diagnostics). */
    long[] pendingBytesAndWaiters() {
        return new long[] {budget.pending(), budget.waiters()};
    }

    /** Bytes of appends queued and not yet taken by a writer (for tests and diagnostics). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** Segment files currently on disk, ascending (for tests and diagnostics). */
    List<Path> segmentFiles() {
        synchronized (segmentsLock) {
            return segments.stream().map(n -> n.in(dir)).toList();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Waits for the journal's threads, so it must not be called from a completion callback
     * (which runs on a thread doing journal work).
     */
    @Override
    public void close() {
        synchronized (appendLock) {
            if (closing) {
                return;
            }
            closing = true;
            enqueue(CLOSE);
        }
        budget.stop();
        boolean interrupted = false;
        for (Thread t : List.of(writerThread, syncThread)) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (!segmentWriter.stopPreallocation()) {
            interrupted = true;
        }
        try {
            segmentWriter.current().close();
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "journal: error closing files", e);
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
