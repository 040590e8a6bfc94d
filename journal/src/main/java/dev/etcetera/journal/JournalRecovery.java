package dev.etcetera.journal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens the journal directory at start-up: checks every segment, repairs a torn tail, and works
 * out where writing resumes. Runs once, before the writer starts, on the opening thread.
 *
 * <p>Repairs, all idempotent so that a crash during recovery is recovered the same way:
 * <ul>
 *   <li>{@code next.tmp} (a preallocation never turned into a segment) is deleted;</li>
 *   <li>a last segment that holds only its prelude while its predecessor is not sealed (a crash
 *       between creating it and sealing the predecessor) is deleted;</li>
 *   <li>the last segment's torn tail is zeroed from the last good record on, and a truncated last
 *       segment is extended back to its preallocated size.</li>
 * </ul>
 * Anything else that is wrong is a {@link JournalCorruptionException}.
 */
final class JournalRecovery {

    private static final System.Logger LOG = System.getLogger(JournalRecovery.class.getName());

    /** The outcome: segments in order, the one to write to (positioned), the state to resume from. */
    record Recovered(List<SegmentName> segments, SegmentFile tail, LogTracker tracker, List<String> repairs) {
    }

    private JournalRecovery() {
    }

    static Recovered recover(Path dir, long segmentBytes) throws IOException {
        Files.deleteIfExists(dir.resolve(SegmentName.PREALLOCATED));
        List<SegmentName> names = new ArrayList<>(SegmentDirectory.list(dir));
        if (names.isEmpty()) {
            SegmentName first = new SegmentName(0, 1);
            Path tmp = SegmentDirectory.preallocate(dir, segmentBytes);
            SegmentFile f = SegmentDirectory.create(dir, first, segmentBytes,
                    SegmentDirectory.prelude(first, segmentBytes, null, null), tmp);
            return new Recovered(List.of(first), f, new LogTracker(0, null, null), List.of());
        }
        List<String> repairs = new ArrayList<>();
        dropPreludeOnlyLast(dir, names, repairs);

        ReplayBuilder builder = new ReplayBuilder(Long.MAX_VALUE);
        SegmentFile tail = null;
        for (int i = 0; i < names.size(); i++) {
            SegmentName n = names.get(i);
            Path file = n.in(dir);
            ByteBuffer image = SegmentDirectory.map(file);
            SegmentScanner.End end = SegmentScanner.scan(file, image, image.limit(), n.seq(), n.firstIndex(),
                    (r, off) -> builder.record(r));
            boolean last = i == names.size() - 1;
            if (!last) {
                if (end.kind() != SegmentScanner.EndKind.SEALED) {
                    throw new JournalCorruptionException(file, end.offset(), "segment ends without a seal ("
                            + end.kind() + (end.detail() == null ? "" : ": " + end.detail()) + ") but "
                            + names.get(i + 1).fileName() + " follows");
                }
                forceData(file);
                continue;
            }
            if (end.kind() == SegmentScanner.EndKind.SEALED) {
                throw new JournalCorruptionException(file, end.offset(), "segment is sealed but its successor "
                        + new SegmentName(n.seq() + 1, builder.lastIndex() + 1).fileName() + " is missing");
            }
            long capacity = segmentCapacity(file, image);
            tail = repairTail(file, n, image, end, capacity, repairs);
        }
        long lastIndex = builder.lastIndex();
        return new Recovered(List.copyOf(names), tail,
                new LogTracker(lastIndex, builder.hardState(), builder.snapshot()), List.copyOf(repairs));
    }

    /**
     * A crash after the last segment was created but before its predecessor was sealed leaves a
     * last segment holding nothing but its prelude; the predecessor is then still the tail.
     */
    private static void dropPreludeOnlyLast(Path dir, List<SegmentName> names, List<String> repairs)
            throws IOException {
        if (names.size() < 2) {
            return;
        }
        SegmentName last = names.getLast();
        SegmentName prev = names.get(names.size() - 2);
        Path prevFile = prev.in(dir);
        ByteBuffer prevImage = SegmentDirectory.map(prevFile);
        SegmentScanner.End prevEnd;
        try {
            prevEnd = SegmentScanner.scan(prevFile, prevImage, prevImage.limit(), prev.seq(), prev.firstIndex(),
                    (r, off) -> null);
        } catch (JournalCorruptionException e) {
            return; // reported with full context by the main pass
        }
        if (prevEnd.kind() == SegmentScanner.EndKind.SEALED) {
            return;
        }
        Path lastFile = last.in(dir);
        ByteBuffer lastImage = SegmentDirectory.map(lastFile);
        boolean[] onlyPrelude = {true};
        SegmentScanner.End lastEnd;
        try {
            lastEnd = SegmentScanner.scan(lastFile, lastImage, lastImage.limit(), last.seq(), last.firstIndex(),
                    (r, off) -> {
                        if (r instanceof StoredRecord.Entry || r instanceof StoredRecord.Seal) {
                            onlyPrelude[0] = false;
                        }
                        return null;
                    });
        } catch (JournalCorruptionException e) {
            return;
        }
        if (onlyPrelude[0] && lastEnd.kind() == SegmentScanner.EndKind.ZEROS && lastEnd.records() <= 3) {
            LOG.log(Level.WARNING, "journal: deleting {0}: created but its predecessor {1} was never sealed"
                    + " (crash during segment rotation)", lastFile, prevFile.getFileName());
            Files.delete(lastFile);
            SegmentDirectory.syncDir(dir);
            repairs.add("deleted " + lastFile.getFileName() + " (rotation interrupted before "
                    + prevFile.getFileName() + " was sealed)");
            names.removeLast();
        }
    }

    /**
     * fdatasync of a sealed segment: a process killed between writing a seal and syncing it leaves
     * the seal in the page cache only; recovery relies on it, so it must be made durable.
     */
    private static void forceData(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(false);
        }
    }

    private static long segmentCapacity(Path file, ByteBuffer image) throws JournalCorruptionException {
        StoredRecord first = RecordFrame.decode(image, 0);
        if (!(first instanceof StoredRecord.Header h)) {
            throw new JournalCorruptionException(file, 0, "segment does not start with a header record");
        }
        return h.segmentBytes();
    }

    /** Zeroes everything after the last good record and restores the preallocated size. */
    private static SegmentFile repairTail(Path file, SegmentName name, ByteBuffer image, SegmentScanner.End end,
                                          long capacity, List<String> repairs) throws IOException {
        int from = end.offset();
        int dirtyEnd = SegmentScanner.endOfNonZero(image, from);
        long length = image.limit();
        if (dirtyEnd > from || end.kind() == SegmentScanner.EndKind.TORN) {
            LOG.log(Level.WARNING, "journal: truncating torn tail of {0} at offset {1} ({2} bytes discarded{3})",
                    file, from, dirtyEnd - from, end.detail() == null ? "" : ": " + end.detail());
            repairs.add("truncated " + file.getFileName() + " at offset " + from + " (" + (dirtyEnd - from)
                    + " bytes" + (end.detail() == null ? "" : ", " + end.detail()) + ")");
        }
        if (length < capacity) {
            LOG.log(Level.WARNING, "journal: {0} is {1} bytes, extending to its preallocated size {2}",
                    file, length, capacity);
            repairs.add("extended " + file.getFileName() + " from " + length + " to " + capacity + " bytes");
        }
        SegmentFile f = SegmentFile.openForWrite(file, name, capacity);
        if (dirtyEnd > from || length < capacity) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                SegmentDirectory.zeroFill(ch, from, Math.max(dirtyEnd, from));
                SegmentDirectory.zeroFill(ch, length, capacity);
            }
        }
        // What recovery accepts may so far exist only in the page cache (written by a process
        // that was killed before its sync): make it durable before anyone acts on it.
        f.force();
        SegmentDirectory.syncDir(file.getParent());
        f.position(from);
        return f;
    }
}
