package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class RecordFrameTest {

    private static final List<StoredRecord> SAMPLES = List.of(
            new StoredRecord.Header(7, 1234, 65536),
            new StoredRecord.Entry(Entries.entry(42, 3, 300)),
            new StoredRecord.Entry(new JournalEntry(1, 0, -5, new byte[0])),
            new StoredRecord.State(new HardState(9, 2, 41)),
            new StoredRecord.Snapshot(new SnapshotMarker(40, 8)),
            new StoredRecord.Seal(8));

    private static ByteBuffer encode(StoredRecord r) {
        ByteBuffer b = ByteBuffer.allocate(RecordFrame.frameBytes(r));
        RecordFrame.encode(r, b);
        assertFalse(b.hasRemaining(), "frameBytes matches what encode writes");
        return b;
    }

    @Test
    void everyRecordTypeRoundTrips() {
        for (StoredRecord r : SAMPLES) {
            ByteBuffer b = encode(r);
            assertTrue(RecordFrame.headerValid(b, 0));
            assertTrue(RecordFrame.bodyValid(b, 0));
            assertEquals(r, RecordFrame.decode(b, 0), "round trip of " + r);
        }
    }

    @Test
    void layoutIsTheDocumentedOne() {
        ByteBuffer b = encode(new StoredRecord.State(new HardState(1, 2, 3)));
        assertEquals(24, b.getInt(0), "body length");
        assertEquals(RecordFrame.TYPE_STATE, b.get(4));
        assertEquals(0, b.get(5) | b.get(6) | b.get(7));
        CRC32C body = new CRC32C();
        body.update(b.array(), 16, 24);
        assertEquals((int) body.getValue(), b.getInt(8));
        CRC32C head = new CRC32C();
        head.update(b.array(), 0, 12);
        assertEquals((int) head.getValue(), b.getInt(12));
        assertEquals(1, b.getLong(16));
        assertEquals(2, b.getLong(24));
        assertEquals(3, b.getLong(32));
    }

    @Test
    void everySingleBitFlipIsDetected() {
        for (StoredRecord r : SAMPLES) {
            byte[] good = encode(r).array();
            for (int bit = 0; bit < good.length * 8; bit++) {
                byte[] bad = good.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                ByteBuffer b = ByteBuffer.wrap(bad);
                boolean headerOk = RecordFrame.headerValid(b, 0);
                boolean bodyOk = headerOk && RecordFrame.bodyValid(b, 0);
                assertFalse(headerOk && bodyOk, "flip of bit " + bit + " in " + r + " went unnoticed");
            }
        }
    }

    @Test
    void unknownTypeOrWrongBodySizeDecodesToNull() {
        ByteBuffer b = encode(new StoredRecord.Seal(3));
        b.put(4, (byte) 9);
        assertNull(RecordFrame.decode(b, 0));
        ByteBuffer s = encode(new StoredRecord.State(new HardState(1, 1, 1)));
        s.put(4, RecordFrame.TYPE_SNAPSHOT);
        assertNull(RecordFrame.decode(s, 0), "a 24-byte body is not a snapshot marker");
    }
}
