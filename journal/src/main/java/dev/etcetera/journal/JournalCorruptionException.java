package dev.etcetera.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A stored record is damaged before the tail, or a segment is missing: the journal cannot be
 * trusted and start-up must stop. The message names the file and byte offset. Never caught and
 * skipped: repairing needs an operator (or a snapshot from the leader).
 */
public final class JournalCorruptionException extends IOException {

    private final transient Path file;
    private final long offset;

    public JournalCorruptionException(Path file, long offset, String problem) {
        super("journal corrupt: " + file + " at offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged or neighbouring file. */
    public Path file() {
        return file;
    }

    /** The byte offset of the damaged record in {@link #file()}, or -1 when a whole file is at fault. */
    public long offset() {
        return offset;
    }
}
