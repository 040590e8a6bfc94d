package dev.etcetera.storage.je;

import dev.etcetera.mvcc.Revision;

/**
 * The byte form of a revision key in the "key" database: 8-byte big-endian main revision, the byte
 * {@code '_'}, 8-byte big-endian sub revision, and for a tombstone one more byte {@code 't'}
 * (17 or 18 bytes, as etcd's bucket keys). Revisions are non-negative, so JE's default unsigned
 * byte-wise key order is revision order; a tombstone sorts right after the put form of the same
 * revision (the two never both exist).
 */
final class RevisionKeys {
    static final int LENGTH = 17;
    static final int TOMBSTONE_LENGTH = 18;
    static final byte SEPARATOR = '_';
    static final byte TOMBSTONE_MARK = 't';

    private RevisionKeys() {
    }

    static byte[] encode(Revision revision, boolean tombstone) {
        byte[] b = new byte[tombstone ? TOMBSTONE_LENGTH : LENGTH];
        putLong(b, 0, revision.main());
        b[8] = SEPARATOR;
        putLong(b, 9, revision.sub());
        if (tombstone) {
            b[17] = TOMBSTONE_MARK;
        }
        return b;
    }

    /** Decodes a key, checking its shape: a malformed key means a corrupt database. */
    static Revision decode(byte[] b, int off, int len) {
        if ((len != LENGTH && len != TOMBSTONE_LENGTH) || b[off + 8] != SEPARATOR
                || (len == TOMBSTONE_LENGTH && b[off + 17] != TOMBSTONE_MARK)) {
            throw new IllegalStateException("corrupt revision key of length " + len);
        }
        return new Revision(getLong(b, off), getLong(b, off + 9));
    }

    static boolean isTombstone(int len) {
        return len == TOMBSTONE_LENGTH;
    }

    static void putLong(byte[] b, int off, long v) {
        for (int i = 7; i >= 0; i--) {
            b[off + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
