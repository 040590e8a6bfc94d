package dev.etcetera.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An open segment. Only the writer thread writes (and knows the write position); the sync thread
 * calls {@link #force()} concurrently; the two meet only in {@code force}/{@code close}, which
 * are serialized on this object so that a sync never hits a channel the writer closed after
 * sealing (the seal already forced everything, so a sync after close has nothing to do).
 */
final class SegmentFile {

    private final Path path;
    private final SegmentName name;
    private final long capacity;
    private final FileChannel channel;
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

    /** Writes all remaining bytes of {@code buf} at {@code position}. Writer thread only. */
    void writeFully(ByteBuffer buf, long position) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            p += channel.write(buf, p);
        }
    }

    /** fdatasync: the file is preallocated, so its size and allocation do not change. */
    synchronized void force() throws IOException {
        if (!closed) {
            channel.force(false);
        }
    }

    synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
