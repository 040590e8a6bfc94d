package dev.etcetera.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * File-level operations on the journal directory: listing segments, creating them atomically,
 * preallocation, directory sync, and reading segments back. Stateless; thread-safe.
 */
final class SegmentDirectory {

    private static final int ZERO_CHUNK = 1 << 20;

    private SegmentDirectory() {
    }

    /**
     * The segments in the directory, ascending by sequence.
     *
     * @throws JournalCorruptionException if the sequence has a gap (a segment is missing)
     */
    static List<SegmentName> list(Path dir) throws IOException {
        List<SegmentName> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                SegmentName n = SegmentName.parse(p.getFileName().toString());
                if (n != null) {
                    names.add(n);
                }
            }
        }
        names.sort(Comparator.comparingLong(SegmentName::seq));
        for (int i = 1; i < names.size(); i++) {
            SegmentName prev = names.get(i - 1);
            SegmentName cur = names.get(i);
            if (cur.seq() != prev.seq() + 1) {
                throw new JournalCorruptionException(cur.in(dir), -1, "segment " + (prev.seq() + 1)
                        + " is missing (previous file is " + prev.fileName() + ")");
            }
        }
        return names;
    }

    /** The whole file, mapped read-only; its limit is the file length. */
    static ByteBuffer map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new JournalCorruptionException(file, -1, "file of " + size + " bytes is larger than any segment");
            }
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return m;
        }
    }

    /** Makes creations, renames and deletions in {@code dir} durable. */
    static void syncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * Writes zeros into {@code file} from {@code from} up to {@code size} (real blocks, not a sparse
     * hole, so that later writes change neither size nor allocation and fdatasync writes no
     * metadata), then forces data and metadata.
     */
    static void zeroFill(FileChannel ch, long from, long size) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        long p = from;
        while (p < size) {
            zeros.clear().limit((int) Math.min(ZERO_CHUNK, size - p));
            while (zeros.hasRemaining()) {
                p += ch.write(zeros, p);
            }
        }
        ch.force(true);
    }

    /** Creates {@code dir/next.tmp}, zero-filled to {@code size}. */
    static Path preallocate(Path dir, long size) throws IOException {
        Path tmp = dir.resolve(SegmentName.PREALLOCATED);
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            zeroFill(ch, 0, size);
        }
        return tmp;
    }

    /**
     * Turns a preallocated file into segment {@code name}: writes the prelude, forces it, renames
     * atomically and syncs the directory. A crash leaves either no segment or a complete one.
     *
     * @return the segment open for writing, positioned after the prelude
     */
    static SegmentFile create(Path dir, SegmentName name, long size, List<StoredRecord> prelude,
                              Path preallocated) throws IOException {
        int bytes = 0;
        for (StoredRecord r : prelude) {
            bytes += RecordFrame.frameBytes(r);
        }
        ByteBuffer buf = ByteBuffer.allocate(bytes);
        for (StoredRecord r : prelude) {
            RecordFrame.encode(r, buf);
        }
        buf.flip();
        try (FileChannel ch = FileChannel.open(preallocated, StandardOpenOption.WRITE)) {
            if (ch.size() != size) {
                throw new IOException("preallocated " + preallocated + " has " + ch.size() + " bytes, expected " + size);
            }
            while (buf.hasRemaining()) {
                ch.write(buf, buf.position());
            }
            ch.force(false);
        }
        Path target = name.in(dir);
        try {
            Files.move(preallocated, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("journal directory " + dir + " does not support atomic rename", e);
        }
        syncDir(dir);
        SegmentFile f = SegmentFile.openForWrite(target, name, size);
        f.position(bytes);
        return f;
    }

    /** The prelude a new segment starts with: header, then the state it must carry forward. */
    static List<StoredRecord> prelude(SegmentName name, long size, HardState hs, SnapshotMarker snap) {
        List<StoredRecord> p = new ArrayList<>(3);
        p.add(new StoredRecord.Header(name.seq(), name.firstIndex(), size));
        if (hs != null) {
            p.add(new StoredRecord.State(hs));
        }
        if (snap != null) {
            p.add(new StoredRecord.Snapshot(snap));
        }
        return p;
    }

    /**
     * Reads segments strictly (no tail tolerance): segments before the last must be sealed, the
     * last is read up to {@code lastLimit}, and any bad record, gap or zero area before that is
     * corruption.
     */
    static void readStrict(Path dir, List<SegmentName> names, long lastLimit, ReplayBuilder builder)
            throws IOException {
        for (int i = 0; i < names.size(); i++) {
            SegmentName n = names.get(i);
            Path file = n.in(dir);
            ByteBuffer image = map(file);
            boolean last = i == names.size() - 1;
            int limit = last ? (int) Math.min(lastLimit, image.limit()) : image.limit();
            SegmentScanner.End end = SegmentScanner.scan(file, image, limit, n.seq(), n.firstIndex(),
                    (r, off) -> builder.record(r));
            if (last ? end.kind() != SegmentScanner.EndKind.LIMIT && end.kind() != SegmentScanner.EndKind.SEALED
                    : end.kind() != SegmentScanner.EndKind.SEALED) {
                throw new JournalCorruptionException(file, end.offset(), (last ? "durable records end early ("
                        + end.kind() + ")" : "segment ends without a seal (" + end.kind() + ") but "
                        + names.get(i + 1).fileName() + " follows")
                        + (end.detail() == null ? "" : ": " + end.detail()));
            }
        }
    }
}
