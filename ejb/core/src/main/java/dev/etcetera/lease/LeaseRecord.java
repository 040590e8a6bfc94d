package dev.etcetera.lease;

import java.nio.ByteBuffer;

/**
 * A lease as persisted in the backend's lease bucket (key: the lease ID). Bytes: one format byte
 * {@code 1}, then the granted TTL and the checkpointed remaining TTL (0 = none), each a big-endian
 * signed 64-bit count of seconds: 17 bytes.
 */
public record LeaseRecord(long id, long ttl, long remainingTtl) {
    private static final byte FORMAT = 1;
    private static final int SIZE = 17;

    public byte[] encode() {
        return ByteBuffer.allocate(SIZE).put(FORMAT).putLong(ttl).putLong(remainingTtl).array();
    }

    /** @throws IllegalStateException if the bytes are not a record this code wrote (corruption) */
    public static LeaseRecord decode(long id, byte[] bytes) {
        if (bytes.length != SIZE || bytes[0] != FORMAT) {
            throw new IllegalStateException("corrupt lease record for lease " + Long.toHexString(id)
                    + ": " + bytes.length + " bytes, format " + (bytes.length > 0 ? bytes[0] : -1));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 1, 16);
        long ttl = b.getLong();
        long remaining = b.getLong();
        if (ttl < 1 || remaining < 0) {
            throw new IllegalStateException("corrupt lease record for lease " + Long.toHexString(id)
                    + ": ttl " + ttl + ", remaining " + remaining);
        }
        return new LeaseRecord(id, ttl, remaining);
    }
}
