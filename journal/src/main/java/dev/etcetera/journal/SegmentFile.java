package dev.etcetera.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An open segment. Only the holder of the journal's write token writes (and knows the write
 * position); the sync thread calls {@link #force()} concurrently; the two meet only in
 * {@code force}/{@code close}, which are serialized on this object so that a sync never hits a
 * channel the writer closed after sealing (the seal already forced everything, so a sync after
 * close has nothing to do).
 *
 * <p><b>Interrupts.</b> A {@link FileChannel} closes itself when a thread using it is
 * interrupted. Writes and syncs may run on a caller's thread (one that helps while it waits for
 * its append), which the journal does not own, so an interrupt must not stop the journal: when
 * an operation fails because the channel was closed by an interrupt (of this thread or of
 * another one using the channel), the file is reopened and the operation redone with the
 * interrupt status cleared, then restored. Redoing is safe: a write puts the same bytes at the
 * same offset, and the dirty pages an fdatasync must flush belong to the file, not the channel.
 */
final class SegmentFile {

    private final Path path;
    private final SegmentName name;
    private final long capacity;
    private volatile FileChannel channel;
    private boolean closed;
    /** Where the next record goes. Writer thread only (recovery before the writer starts). */
    private long position;

    private SegmentFile(Path path, SegmentName name, long capacity, FileChannel channel) {
        this.path = path;
        this.name = name;
        this.capacity = capacity;
        this.channel = channel;
    }

    static SegmentFile openForWrite(Path path, SegmentName name, long capacity) throws IOException {
        return new SegmentFile(path, name, capacity,
                FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    Path path() {
        return path;
    }

    SegmentName name() {
        return name;
    }

    long seq() {
        return name.seq();
    }

    /** Preallocated size; records end at most {@link RecordFrame#SEAL_FRAME_BYTES} before it. */
    long capacity() {
        return capacity;
    }

    long position() {
        return position;
    }

    void position(long p) {
        position = p;
    }

    /** Writes all remaining bytes of {@code buf} at {@code position}. Token holder only. */
    void writeFully(ByteBuffer buf, long position) throws IOException {
        int start = buf.position();
        retryingInterrupts(ch -> {
            buf.position(start);
            long p = position;
            while (buf.hasRemaining()) {
                p += ch.write(buf, p);
            }
        });
    }

    /** fdatasync: the file is preallocated, so its size and allocation do not change. */
    synchronized void force() throws IOException {
        if (!closed) {
            retryingInterrupts(ch -> ch.force(false));
        }
    }

    private interface ChannelOp {
        void run(FileChannel ch) throws IOException;
    }

    /** Runs {@code op}, reopening the file and redoing it if an interrupt closed the channel. */
    private void retryingInterrupts(ChannelOp op) throws IOException {
        boolean interrupted = false;
        try {
            for (int attempt = 1; ; attempt++) {
                FileChannel ch = channel;
                try {
                    op.run(ch);
                    return;
                } catch (AsynchronousCloseException e) { // includes ClosedByInterruptException
                    interrupted |= Thread.interrupted();
                    if (attempt >= 5 || !reopen(ch)) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Replaces {@code broken} by a fresh channel unless the segment was closed on purpose. */
    private synchronized boolean reopen(FileChannel broken) throws IOException {
        if (closed) {
            return false;
        }
        if (channel == broken) {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        return true;
    }

    synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
