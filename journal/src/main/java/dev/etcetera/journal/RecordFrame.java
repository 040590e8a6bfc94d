package dev.etcetera.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Encodes and decodes one framed record (layout in {@code package-info.java}). Stateless; the
 * methods are thread-safe. Byte order is big-endian throughout.
 */
final class RecordFrame {

    static final int HEADER_BYTES = 16;

    static final byte TYPE_HEADER = 1;
    static final byte TYPE_ENTRY = 2;
    static final byte TYPE_STATE = 3;
    static final byte TYPE_SNAPSHOT = 4;
    static final byte TYPE_SEAL = 5;

    static final int SEGMENT_MAGIC = 0x45544a31; // "ETJ1"
    static final short FORMAT_VERSION = 1;

    static final int HEADER_BODY_BYTES = 4 + 2 + 2 + 8 + 8 + 8;
    static final int ENTRY_FIXED_BYTES = 8 + 8 + 4;
    static final int STATE_BODY_BYTES = 24;
    static final int SNAPSHOT_BODY_BYTES = 16;
    static final int SEAL_BODY_BYTES = 8;
    /** Bytes a segment keeps free for its seal record. */
    static final int SEAL_FRAME_BYTES = HEADER_BYTES + SEAL_BODY_BYTES;

    private RecordFrame() {
    }

    static int entryFrameBytes(JournalEntry e) {
        return HEADER_BYTES + ENTRY_FIXED_BYTES + e.payload().length;
    }

    static int frameBytes(StoredRecord r) {
        return HEADER_BYTES + switch (r) {
            case StoredRecord.Header h -> HEADER_BODY_BYTES;
            case StoredRecord.Entry e -> ENTRY_FIXED_BYTES + e.entry().payload().length;
            case StoredRecord.State s -> STATE_BODY_BYTES;
            case StoredRecord.Snapshot s -> SNAPSHOT_BODY_BYTES;
            case StoredRecord.Seal s -> SEAL_BODY_BYTES;
        };
    }

    /** Writes the framed record at the buffer's position, advancing it. */
    static void encode(StoredRecord r, ByteBuffer out) {
        int start = out.position();
        int bodyStart = start + HEADER_BYTES;
        out.position(bodyStart);
        byte type;
        switch (r) {
            case StoredRecord.Header h -> {
                type = TYPE_HEADER;
                out.putInt(SEGMENT_MAGIC).putShort(FORMAT_VERSION).putShort((short) 0)
                        .putLong(h.seq()).putLong(h.firstIndex()).putLong(h.segmentBytes());
            }
            case StoredRecord.Entry en -> {
                type = TYPE_ENTRY;
                JournalEntry e = en.entry();
                out.putLong(e.index()).putLong(e.term()).putInt(e.type()).put(e.payload());
            }
            case StoredRecord.State s -> {
                type = TYPE_STATE;
                HardState hs = s.hardState();
                out.putLong(hs.term()).putLong(hs.vote()).putLong(hs.commit());
            }
            case StoredRecord.Snapshot s -> {
                type = TYPE_SNAPSHOT;
                out.putLong(s.marker().index()).putLong(s.marker().term());
            }
            case StoredRecord.Seal s -> {
                type = TYPE_SEAL;
                out.putLong(s.nextSeq());
            }
        }
        int end = out.position();
        int bodyLength = end - bodyStart;
        out.putInt(start, bodyLength);
        out.put(start + 4, type);
        out.put(start + 5, (byte) 0).put(start + 6, (byte) 0).put(start + 7, (byte) 0);
        out.putInt(start + 8, crc(out, bodyStart, bodyLength));
        out.putInt(start + 12, crc(out, start, 12));
    }

    /** CRC32C of {@code length} bytes at absolute {@code offset}; does not move the buffer. */
    static int crc(ByteBuffer buf, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(buf.slice(offset, length));
        return (int) c.getValue();
    }

    /** True when the 16 header bytes at {@code offset} pass their checksum. */
    static boolean headerValid(ByteBuffer buf, int offset) {
        return crc(buf, offset, 12) == buf.getInt(offset + 12)
                && buf.get(offset + 5) == 0 && buf.get(offset + 6) == 0 && buf.get(offset + 7) == 0;
    }

    static int bodyLength(ByteBuffer buf, int offset) {
        return buf.getInt(offset);
    }

    static byte type(ByteBuffer buf, int offset) {
        return buf.get(offset + 4);
    }

    static boolean bodyValid(ByteBuffer buf, int offset) {
        return crc(buf, offset + HEADER_BYTES, bodyLength(buf, offset)) == buf.getInt(offset + 8);
    }

    /**
     * Decodes a record whose header and body checksums already passed.
     *
     * @return the record, or {@code null} when its type is unknown or its body has the wrong size
     *         for its type (both mean corruption: the checksums were computed over bad content)
     */
    static StoredRecord decode(ByteBuffer buf, int offset) {
        int len = bodyLength(buf, offset);
        int p = offset + HEADER_BYTES;
        return switch (type(buf, offset)) {
            case TYPE_HEADER -> len != HEADER_BODY_BYTES || buf.getInt(p) != SEGMENT_MAGIC
                    || buf.getShort(p + 4) != FORMAT_VERSION ? null
                    : new StoredRecord.Header(buf.getLong(p + 8), buf.getLong(p + 16), buf.getLong(p + 24));
            case TYPE_ENTRY -> {
                if (len < ENTRY_FIXED_BYTES) {
                    yield null;
                }
                long index = buf.getLong(p);
                long term = buf.getLong(p + 8);
                if (index < 1 || term < 0) {
                    yield null;
                }
                byte[] payload = new byte[len - ENTRY_FIXED_BYTES];
                buf.get(p + ENTRY_FIXED_BYTES, payload);
                yield new StoredRecord.Entry(new JournalEntry(index, term, buf.getInt(p + 16), payload));
            }
            case TYPE_STATE -> {
                if (len != STATE_BODY_BYTES || buf.getLong(p) < 0 || buf.getLong(p + 16) < 0) {
                    yield null;
                }
                yield new StoredRecord.State(new HardState(buf.getLong(p), buf.getLong(p + 8), buf.getLong(p + 16)));
            }
            case TYPE_SNAPSHOT -> {
                if (len != SNAPSHOT_BODY_BYTES || buf.getLong(p) < 0 || buf.getLong(p + 8) < 0) {
                    yield null;
                }
                yield new StoredRecord.Snapshot(new SnapshotMarker(buf.getLong(p), buf.getLong(p + 8)));
            }
            case TYPE_SEAL -> len != SEAL_BODY_BYTES ? null : new StoredRecord.Seal(buf.getLong(p));
            default -> null;
        };
    }
}
