package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged journals: every kind of damage is either a torn tail (truncated at the last good record,
 * and the journal works on) or corruption (open or replay fails naming the file and offset).
 */
class JournalCorruptionTest {

    static final long SEGMENT = JournalOptions.MIN_SEGMENT_BYTES;
    static final int ENTRIES = 600;
    static final int PAYLOAD = 300;

    @TempDir
    Path dir;

    private JournalOptions options() {
        return JournalOptions.defaults(dir).withSegmentBytes(SEGMENT).withMaxBatchBytes(SEGMENT).withRetainEntries(0);
    }

    /** Record offsets of one segment, in order. */
    record Located(StoredRecord record, int offset, int end) {
    }

    @BeforeEach
    void writeJournal() throws Exception {
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            for (int i = 1; i <= ENTRIES; i++) {
                j.append(JournalBatch.of(List.of(Entries.entry(i, 1, PAYLOAD)), new HardState(1, 1, i - 1)))
                        .get(30, TimeUnit.SECONDS);
            }
        }
        assertTrue(segments().size() >= 3, "the fixture spans several segments: " + segments());
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
    }

    private static List<Located> records(Path file) throws IOException {
        SegmentName n = SegmentName.parse(file.getFileName().toString());
        ByteBuffer image = SegmentDirectory.map(file);
        List<Located> out = new ArrayList<>();
        SegmentScanner.scan(file, image, image.limit(), n.seq(), n.firstIndex(), (r, off) -> {
            out.add(new Located(r, off, off + RecordFrame.frameBytes(r)));
            return null;
        });
        return out;
    }

    private static List<Located> entryRecords(Path file) throws IOException {
        return records(file).stream().filter(l -> l.record() instanceof StoredRecord.Entry).toList();
    }

    private static long index(Located l) {
        return ((StoredRecord.Entry) l.record()).entry().index();
    }

    private static void write(Path file, long offset, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static void flipBit(Path file, long offset, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            ch.write(b.rewind(), offset);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    /** Opens, checks the log is exactly entries [1, lastIndex], appends one more, reopens. */
    private void assertRecoversTo(long lastIndex) throws Exception {
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            Replay r = j.replay(1);
            assertEquals(lastIndex, r.lastIndex());
            assertEquals(lastIndex, r.entries().size());
            for (int i = 0; i < lastIndex; i++) {
                assertEquals(Entries.entry(i + 1, 1, PAYLOAD), r.entries().get(i));
            }
            j.append(JournalBatch.of(List.of(Entries.entry(lastIndex + 1, 2, PAYLOAD)))).get(30, TimeUnit.SECONDS);
        }
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            Replay r = j.replay(1);
            assertEquals(lastIndex + 1, r.lastIndex(), "the repaired journal takes appends");
            assertEquals(Entries.entry(lastIndex + 1, 2, PAYLOAD), r.entries().getLast());
        }
        for (Path p : segments()) {
            assertEquals(SEGMENT, Files.size(p), p + " keeps its preallocated size");
        }
    }

    private JournalCorruptionException assertCorrupt(Path file, long offset) {
        JournalCorruptionException e = assertThrows(JournalCorruptionException.class,
                () -> FileJournal.open(options(), t -> { }).close());
        assertEquals(file, e.file(), e.getMessage());
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("offset " + offset),
                "message names file and offset: " + e.getMessage());
        return e;
    }

    @Test
    void zeroedTailIsTruncatedAtTheLastGoodRecord() throws Exception {
        Path last = segments().getLast();
        List<Located> entries = entryRecords(last);
        Located cut = entries.get(entries.size() - 3);
        write(last, cut.offset(), new byte[(int) (SEGMENT - cut.offset())]);
        assertRecoversTo(index(cut) - 1);
    }

    @Test
    void tornRecordWithAnUnwrittenSectorIsTruncated() throws Exception {
        Path last = segments().getLast();
        Located victim = entryRecords(last).getLast();
        // Zero the bytes from the record's first sector boundary on: the write reached the disk
        // only up to that boundary.
        int boundary = (victim.offset() / SegmentScanner.SECTOR + 1) * SegmentScanner.SECTOR;
        assertTrue(boundary < victim.end(), "the record crosses a sector boundary");
        write(last, boundary, new byte[victim.end() - boundary]);
        assertRecoversTo(index(victim) - 1);
    }

    @Test
    void truncatedLastFileIsTruncatedAtTheLastWholeRecordAndExtendedAgain() throws Exception {
        Path last = segments().getLast();
        Located victim = entryRecords(last).get(entryRecords(last).size() - 2);
        truncate(last, victim.offset() + 40);
        assertRecoversTo(index(victim) - 1);
    }

    @Test
    void recoveryIsIdempotent() throws Exception {
        Path last = segments().getLast();
        Located victim = entryRecords(last).getLast();
        truncate(last, victim.offset() + 7);
        for (int i = 0; i < 2; i++) {
            try (FileJournal j = FileJournal.open(options(), t -> { })) {
                assertEquals(index(victim) - 1, j.replay(1).lastIndex());
            }
        }
    }

    @Test
    void flippedBitInTheMiddleOfTheLastSegmentIsCorruption() throws Exception {
        Path last = segments().getLast();
        List<Located> entries = entryRecords(last);
        Located victim = entries.get(entries.size() / 2);
        flipBit(last, victim.offset() + RecordFrame.HEADER_BYTES + 30, 3);
        JournalCorruptionException e = assertCorrupt(last, victim.offset());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void flippedBitInTheLastRecordIsCorruptionNotATornTail() throws Exception {
        Path last = segments().getLast();
        Located victim = records(last).getLast();
        flipBit(last, victim.end() - 2, 0);
        assertCorrupt(last, victim.offset());
    }

    @Test
    void flippedBitInARecordLengthIsCorruption() throws Exception {
        Path last = segments().getLast();
        Located victim = entryRecords(last).get(1);
        flipBit(last, victim.offset() + 2, 5);
        JournalCorruptionException e = assertCorrupt(last, victim.offset());
        assertTrue(e.getMessage().contains("header checksum"), e.getMessage());
    }

    @Test
    void flippedBitInAnEarlierSegmentIsCorruption() throws Exception {
        Path first = segments().getFirst();
        Located victim = entryRecords(first).get(5);
        flipBit(first, victim.offset() + RecordFrame.HEADER_BYTES + 8, 7);
        assertCorrupt(first, victim.offset());
    }

    @Test
    void zeroedRangeInAnEarlierSegmentIsCorruption() throws Exception {
        Path first = segments().getFirst();
        Located victim = entryRecords(first).get(10);
        write(first, victim.offset(), new byte[4096]);
        JournalCorruptionException e = assertCorrupt(first, victim.offset());
        assertTrue(e.getMessage().contains("without a seal"), e.getMessage());
    }

    @Test
    void truncatedEarlierSegmentIsCorruption() throws Exception {
        Path first = segments().getFirst();
        Located victim = entryRecords(first).get(10);
        truncate(first, victim.offset() + 100);
        assertCorrupt(first, victim.offset());
    }

    @Test
    void missingMiddleSegmentIsCorruption() throws Exception {
        List<Path> files = segments();
        Files.delete(files.get(1));
        JournalCorruptionException e = assertCorrupt(files.get(2), -1);
        assertTrue(e.getMessage().contains("segment 1 is missing"), e.getMessage());
    }

    @Test
    void missingLastSegmentIsCorruption() throws Exception {
        List<Path> files = segments();
        Files.delete(files.getLast());
        Path sealed = files.get(files.size() - 2);
        Located seal = records(sealed).getLast();
        assertTrue(seal.record() instanceof StoredRecord.Seal);
        JournalCorruptionException e = assertCorrupt(sealed, seal.end());
        assertTrue(e.getMessage().contains("successor"), e.getMessage());
    }

    @Test
    void missingFirstSegmentFailsTheReplayThatNeedsIt() throws Exception {
        List<Path> files = segments();
        Files.delete(files.getFirst());
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            JournalCorruptionException e = assertThrows(JournalCorruptionException.class, () -> j.replay(1));
            assertEquals(files.get(1), e.file());
            assertTrue(e.getMessage().contains("entries from index 1 are not held"), e.getMessage());
        }
    }

    @Test
    void segmentWhoseHeaderDisagreesWithItsNameIsCorruption() throws Exception {
        List<Path> files = segments();
        Path renamed = dir.resolve(new SegmentName(1, 12345).fileName());
        Files.move(files.get(1), renamed);
        assertCorrupt(renamed, 0);
    }

    @Test
    void crashBetweenCreatingASegmentAndSealingItsPredecessorIsRepaired() throws Exception {
        long before;
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            before = j.replay(1).lastIndex();
        }
        boolean[] armed = {true};
        Failpoint crashBeforeSeal = name -> {
            if (armed[0] && name.equals("before-seal")) {
                throw new IOException("simulated crash before seal");
            }
        };
        int segmentsBefore = segments().size();
        long acked = before;
        try (FileJournal j = FileJournal.open(options(), t -> { }, crashBeforeSeal)) {
            for (long i = before + 1; ; i++) {
                try {
                    j.append(JournalBatch.of(List.of(Entries.entry(i, 1, PAYLOAD)))).get(30, TimeUnit.SECONDS);
                    acked = i;
                } catch (ExecutionException e) {
                    break;
                }
            }
        }
        assertEquals(segmentsBefore + 1, segments().size(), "the new segment exists, unsealed predecessor");
        Files.write(dir.resolve(SegmentName.PREALLOCATED), new byte[100]);
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            assertEquals(segmentsBefore, segments().size(), "prelude-only segment removed");
            assertFalse(Files.exists(dir.resolve(SegmentName.PREALLOCATED)) && Files.size(dir.resolve(SegmentName.PREALLOCATED)) == 100,
                    "stale preallocation removed");
            Replay r = j.replay(1);
            assertTrue(r.lastIndex() >= acked, "acknowledged entries survive: " + r.lastIndex() + " < " + acked);
            for (long i = r.lastIndex() + 1; i <= r.lastIndex() + 300; i++) {
                j.append(JournalBatch.of(List.of(Entries.entry(i, 2, PAYLOAD)))).get(30, TimeUnit.SECONDS);
            }
            assertTrue(j.stats().segmentsCreated() >= 1, "rotates again");
        }
        try (FileJournal j = FileJournal.open(options(), t -> { })) {
            Replay r = j.replay(1);
            for (int i = 0; i < r.entries().size(); i++) {
                assertEquals(i + 1, r.entries().get(i).index());
                assertTrue(Entries.intact(r.entries().get(i)));
            }
        }
    }
}
