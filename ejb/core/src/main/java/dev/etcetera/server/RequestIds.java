package dev.etcetera.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Unique envelope IDs, built like etcd's {@code idutil}: the low 16 bits of the member ID in the top
 * 16 bits, then a counter seeded from the start time in milliseconds, so IDs from different members
 * and from successive runs of one member do not collide. Thread-safe.
 */
final class RequestIds {
    private static final long SUFFIX_MASK = (1L << 48) - 1;
    private final long prefix;
    private final AtomicLong suffix;

    RequestIds(long memberId, long startMillis) {
        this.prefix = (memberId & 0xFFFF) << 48;
        this.suffix = new AtomicLong((startMillis & ((1L << 40) - 1)) << 8);
    }

    long next() {
        return prefix | (suffix.incrementAndGet() & SUFFIX_MASK);
    }
}
