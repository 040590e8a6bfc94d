package dev.etcetera.journal;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A segment's file name: {@code <seq>-<firstIndex>.wal}, both as 16 lower-case hex digits, so that
 * names sort in write order (as etcd names its WAL files). {@code seq} counts segments from 0 with
 * no gaps; {@code firstIndex} is the index the segment's first entry will have (last index + 1
 * when it was created).
 */
record SegmentName(long seq, long firstIndex) {

    private static final Pattern NAME = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");
    static final String SUFFIX = ".wal";
    /** The zero-filled file being prepared for the next segment; never holds records. */
    static final String PREALLOCATED = "next.tmp";

    String fileName() {
        return String.format("%016x-%016x%s", seq, firstIndex, SUFFIX);
    }

    Path in(Path dir) {
        return dir.resolve(fileName());
    }

    /** @return the parsed name, or {@code null} when {@code fileName} is not a segment name */
    static SegmentName parse(String fileName) {
        Matcher m = NAME.matcher(fileName);
        if (!m.matches()) {
            return null;
        }
        return new SegmentName(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16));
    }
}
