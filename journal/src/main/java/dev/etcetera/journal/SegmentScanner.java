package dev.etcetera.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Reads the records of one segment image in order and classifies how the segment ends. It decides
 * between a <em>torn</em> record (the write was cut short: the tail may be dropped) and a
 * <em>corrupt</em> one (damage the writer cannot have produced: start-up must stop); see
 * {@code package-info.java} for the rules.
 *
 * <p>Stateless apart from its arguments; one scan per call.
 */
final class SegmentScanner {

    /** Sector size used to recognise torn writes: storage writes whole sectors or none. */
    static final int SECTOR = 512;

    /** How the scanned part of a segment ends. */
    enum EndKind {
        /** A seal record: the segment is complete and has a successor. */
        SEALED,
        /** All-zero bytes where the next record header would be (or end of file): no more records. */
        ZEROS,
        /** A record cut short by a crash. */
        TORN,
        /** The scan reached the caller's limit. */
        LIMIT
    }

    /**
     * @param kind     how it ends
     * @param offset   where the next record would start (the truncation point for ZEROS/TORN)
     * @param nextSeq  for SEALED, the successor's sequence
     * @param records  records read, header included
     * @param detail   for TORN, why the record counts as torn
     */
    record End(EndKind kind, int offset, long nextSeq, int records, String detail) {
    }

    /** Receives records in order; may reject one as corrupt. */
    interface Sink {
        /** @return a problem description to report as corruption at {@code offset}, else {@code null} */
        String accept(StoredRecord record, int offset);
    }

    private SegmentScanner() {
    }

    /**
     * Scans {@code image} (the whole file, position 0 = file offset 0) up to {@code limit}.
     *
     * @param file           for error messages
     * @param image          the file's bytes; its limit is the file length
     * @param limit          stop before this offset (the durable end, or the file length)
     * @param expectedSeq    sequence the file name gives
     * @param expectedFirst  first index the file name gives
     * @throws JournalCorruptionException for a damaged record or a header that does not match the name
     */
    static End scan(Path file, ByteBuffer image, int limit, long expectedSeq, long expectedFirst, Sink sink)
            throws JournalCorruptionException {
        int fileLength = image.limit();
        long segmentBytes = fileLength;
        int pos = 0;
        int records = 0;
        while (true) {
            if (pos >= limit) {
                return new End(EndKind.LIMIT, pos, 0, records, null);
            }
            if (pos + RecordFrame.HEADER_BYTES > fileLength) {
                if (records == 0) {
                    throw new JournalCorruptionException(file, pos, "segment too short for its header");
                }
                return allZero(image, pos, fileLength)
                        ? new End(EndKind.ZEROS, pos, 0, records, null)
                        : new End(EndKind.TORN, pos, 0, records, "record header cut off by end of file");
            }
            if (allZero(image, pos, pos + RecordFrame.HEADER_BYTES)) {
                if (records == 0) {
                    throw new JournalCorruptionException(file, pos, "segment header missing (zeros)");
                }
                return new End(EndKind.ZEROS, pos, 0, records, null);
            }
            if (!RecordFrame.headerValid(image, pos)) {
                if (records > 0 && hasZeroSector(image, pos, pos + RecordFrame.HEADER_BYTES)) {
                    return new End(EndKind.TORN, pos, 0, records, "record header partly unwritten");
                }
                throw new JournalCorruptionException(file, pos, "record header checksum mismatch");
            }
            int length = RecordFrame.bodyLength(image, pos);
            byte type = RecordFrame.type(image, pos);
            if (length < 0 || length > segmentBytes - RecordFrame.HEADER_BYTES
                    || type < RecordFrame.TYPE_HEADER || type > RecordFrame.TYPE_SEAL) {
                throw new JournalCorruptionException(file, pos, "record header has a valid checksum but impossible"
                        + " type " + type + " or length " + length);
            }
            long end = (long) pos + RecordFrame.HEADER_BYTES + length;
            if (end > fileLength) {
                if (records > 0 && fileLength < segmentBytes) {
                    return new End(EndKind.TORN, pos, 0, records, "record cut off by end of truncated file");
                }
                throw new JournalCorruptionException(file, pos, "record of " + length + " bytes runs past the end of"
                        + " the segment");
            }
            if (end > limit) {
                throw new JournalCorruptionException(file, pos, "record runs past the durable end " + limit);
            }
            if (!RecordFrame.bodyValid(image, pos)) {
                if (records > 0 && hasZeroSector(image, pos + RecordFrame.HEADER_BYTES, (int) end)) {
                    return new End(EndKind.TORN, pos, 0, records, "record body partly unwritten");
                }
                throw new JournalCorruptionException(file, pos, "record body checksum mismatch (type " + type
                        + ", " + length + " bytes)");
            }
            StoredRecord record = RecordFrame.decode(image, pos);
            if (record == null) {
                throw new JournalCorruptionException(file, pos, "record of type " + type + " has a malformed body");
            }
            if (records == 0) {
                if (!(record instanceof StoredRecord.Header h)) {
                    throw new JournalCorruptionException(file, pos, "segment does not start with a header record");
                }
                if (h.seq() != expectedSeq || h.firstIndex() != expectedFirst) {
                    throw new JournalCorruptionException(file, pos, "segment header says seq " + h.seq()
                            + " first index " + h.firstIndex() + ", file name says seq " + expectedSeq
                            + " first index " + expectedFirst);
                }
                segmentBytes = h.segmentBytes();
                if (fileLength > segmentBytes) {
                    throw new JournalCorruptionException(file, -1, "file is " + fileLength
                            + " bytes, longer than its segment size " + segmentBytes);
                }
            } else if (record instanceof StoredRecord.Header) {
                throw new JournalCorruptionException(file, pos, "second segment header inside a segment");
            }
            String problem = sink.accept(record, pos);
            if (problem != null) {
                throw new JournalCorruptionException(file, pos, problem);
            }
            records++;
            pos = (int) end;
            if (record instanceof StoredRecord.Seal seal) {
                if (seal.nextSeq() != expectedSeq + 1) {
                    throw new JournalCorruptionException(file, pos, "seal names successor " + seal.nextSeq()
                            + ", expected " + (expectedSeq + 1));
                }
                return new End(EndKind.SEALED, pos, seal.nextSeq(), records, null);
            }
        }
    }

    /** True when every byte in {@code [from, to)} is zero. */
    static boolean allZero(ByteBuffer b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < to; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the part of {@code [from, to)} inside some sector is all zeros: the sign of a write
     * that reached the disk only in part (sectors are written whole or not at all, and the file
     * was zero-filled before use).
     */
    static boolean hasZeroSector(ByteBuffer b, int from, int to) {
        int limit = Math.min(to, b.limit());
        if (limit < to) {
            return true;
        }
        int start = from;
        while (start < limit) {
            int sectorEnd = Math.min(limit, (start / SECTOR + 1) * SECTOR);
            if (allZero(b, start, sectorEnd)) {
                return true;
            }
            start = sectorEnd;
        }
        return false;
    }

    /** Offset just past the last non-zero byte in {@code [from, limit)}, or {@code from} if none. */
    static int endOfNonZero(ByteBuffer b, int from) {
        int end = b.limit();
        while (end > from && b.get(end - 1) == 0) {
            if (end - 8 >= from && b.getLong(end - 8) == 0) {
                end -= 8;
            } else {
                end--;
            }
        }
        return end;
    }
}
