package dev.etcetera.journal;

/**
 * One Raft log entry as the journal sees it: position, term, an opaque type code and an opaque
 * payload. The journal never interprets {@code type} or {@code payload}; the Raft storage adapter
 * maps its own entry type onto them.
 *
 * <p><b>Ownership.</b> The payload array is <em>not</em> copied. An entry handed to
 * {@link Journal#append} belongs to the journal from that call on: the caller must not modify
 * the array afterwards. Entries returned by {@link Journal#replay} carry fresh arrays owned by
 * the caller.
 *
 * @param index   log position, {@code >= 1}
 * @param term    Raft term of the entry, {@code >= 0}
 * @param type    opaque entry type (for example normal / configuration change)
 * @param payload opaque entry data, never {@code null} (use an empty array)
 */
public record JournalEntry(long index, long term, int type, byte[] payload) {

    public JournalEntry {
        if (index < 1) {
            throw new IllegalArgumentException("entry index must be >= 1, got " + index);
        }
        if (term < 0) {
            throw new IllegalArgumentException("entry term must be >= 0, got " + term);
        }
        if (payload == null) {
            throw new IllegalArgumentException("entry payload must not be null (use an empty array)");
        }
    }

    /** Value equality, including the payload bytes (records compare arrays by identity otherwise). */
    @Override
    public boolean equals(Object o) {
        return o instanceof JournalEntry e
                && e.index == index && e.term == term && e.type == type
                && java.util.Arrays.equals(e.payload, payload);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(index, term, type, java.util.Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "JournalEntry[index=" + index + ", term=" + term + ", type=" + type
                + ", payload=" + payload.length + " bytes]";
    }
}
