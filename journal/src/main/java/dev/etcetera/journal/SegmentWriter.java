package dev.etcetera.journal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Puts encoded records into segment files: buffers them, writes the buffer to the current
 * segment, and rotates to a new segment when one is full (preparing the next one in the
 * background once the current one is half full).
 *
 * <p>Not thread-safe: used only by the holder of the file journal's write token, which orders
 * all access (the lock makes each holder see the previous one's writes). Knows nothing of
 * futures or syncs; the sync of what it wrote is the caller's business.
 */
final class SegmentWriter {

    private static final System.Logger LOG = System.getLogger(SegmentWriter.class.getName());

    private final Path dir;
    private final long segmentBytes;
    private final Failpoint failpoint;
    private final ExecutorService preallocator;
    /** Told about each segment created by rotation, after it is on disk and before anything is written to it. */
    private final Consumer<SegmentName> onCreated;
    /** State after every record written so far (what a new segment's prelude must repeat). */
    private final LogTracker written;
    private final ByteBuffer buffer;
    private SegmentFile current;
    /**
     * The next segment's zero-filled file, started when the current segment is half full so that
     * its 64 MiB of zeros are written while nothing waits for them.
     */
    private Future<Path> nextPreallocated;

    SegmentWriter(JournalOptions options, Failpoint failpoint, SegmentFile tail, LogTracker written,
                  ExecutorService preallocator, Consumer<SegmentName> onCreated) {
        this.dir = options.dir();
        this.segmentBytes = options.segmentBytes();
        this.failpoint = failpoint;
        this.current = tail;
        this.written = written;
        this.preallocator = preallocator;
        this.onCreated = onCreated;
        this.buffer = ByteBuffer.allocateDirect((int) Math.min(options.maxBatchBytes(), 4L << 20));
    }

    /** The segment being written; after {@link #flush()}, its position is the end of everything written. */
    SegmentFile current() {
        return current;
    }

    /** The latest snapshot marker among the records written. */
    SnapshotMarker snapshot() {
        return written.snapshot();
    }

    /** Logical write position: what is in the segment plus what is buffered. */
    private long position() {
        return current.position() + buffer.position();
    }

    /**
     * Appends the framed {@code records} ({@code frames}, record i ending at {@code ends[i]}),
     * rotating first whenever the next record would not fit. May leave bytes in the buffer:
     * call {@link #flush()} before syncing.
     */
    void write(List<StoredRecord> records, byte[] frames, int[] ends) throws IOException {
        int start = 0;
        for (int i = 0; i < ends.length; i++) {
            int len = ends[i] - start;
            if (position() + len > current.capacity() - RecordFrame.SEAL_FRAME_BYTES) {
                flush();
                rotate();
            }
            if (len > buffer.remaining()) {
                flush();
            }
            if (len > buffer.remaining()) {
                current.writeFully(ByteBuffer.wrap(frames, start, len), current.position());
                current.position(current.position() + len);
            } else {
                buffer.put(frames, start, len);
            }
            written.apply(records.get(i));
            start = ends[i];
        }
        if (nextPreallocated == null && position() > current.capacity() / 2) {
            startPreallocation();
        }
    }

    /** Writes the buffered bytes to the current segment (page cache) with one call. */
    void flush() throws IOException {
        if (buffer.position() == 0) {
            return;
        }
        buffer.flip();
        int n = buffer.remaining();
        current.writeFully(buffer, current.position());
        current.position(current.position() + n);
        buffer.clear();
    }

    private void startPreallocation() {
        nextPreallocated = preallocator.submit(() -> SegmentDirectory.preallocate(dir, segmentBytes));
    }

    /**
     * Moves writing to a new segment. Order matters for recovery: the new segment is created
     * complete (prelude forced, renamed, directory synced) before the current one is sealed and
     * forced, and nothing is written to the new one before that. So a seal always has a successor
     * on disk, and a successor without a sealed predecessor holds only its prelude.
     */
    private void rotate() throws IOException {
        SegmentName next = new SegmentName(current.seq() + 1, written.lastIndex() + 1);
        Path tmp;
        if (nextPreallocated == null) {
            startPreallocation(); // a batch larger than half a segment skipped the usual trigger
        }
        try {
            tmp = nextPreallocated.get();
        } catch (ExecutionException e) {
            throw new IOException("preallocating the next segment failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the next segment", e);
        }
        SegmentFile created = SegmentDirectory.create(dir, next, segmentBytes,
                SegmentDirectory.prelude(next, segmentBytes, written.hardState(), written.snapshot()), tmp);
        onCreated.accept(next);
        failpoint.hit("before-seal");
        ByteBuffer seal = ByteBuffer.allocate(RecordFrame.SEAL_FRAME_BYTES);
        RecordFrame.encode(new StoredRecord.Seal(next.seq()), seal);
        seal.flip();
        current.writeFully(seal, current.position());
        current.position(current.position() + RecordFrame.SEAL_FRAME_BYTES);
        current.force();
        current.close();
        current = created;
        nextPreallocated = null;
    }

    /**
     * Stops the background preparation of segments, waiting up to a minute for one in progress.
     *
     * @return false if interrupted while waiting (the interrupt is for the caller to restore)
     */
    boolean stopPreallocation() {
        preallocator.shutdown();
        try {
            if (!preallocator.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.log(Level.WARNING, "journal: preallocation did not finish within a minute");
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
