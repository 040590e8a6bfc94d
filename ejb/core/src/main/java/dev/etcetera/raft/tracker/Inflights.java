package dev.etcetera.raft.tracker;

/**
 * The in-flight window of one follower in {@link ProgressState#REPLICATE}: the last index of every
 * MsgApp sent but not yet acknowledged, with its payload size, bounded both in count and in bytes.
 *
 * <p>Indexes are added in increasing order; an acknowledgement of index {@code i} frees every entry
 * {@code <= i}. Not thread-safe: owned by the node-loop thread like the rest of the Raft state.
 */
public final class Inflights {
    private final int capacity;
    private final long maxBytes;
    private final long[] indexes;
    private final long[] sizes;
    private int start;
    private int count;
    private long bytes;

    /**
     * @param capacity maximum number of unacknowledged MsgApp; must be positive
     * @param maxBytes maximum total payload bytes in flight; 0 means unlimited
     */
    public Inflights(int capacity, long maxBytes) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("inflights capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.indexes = new long[capacity];
        this.sizes = new long[capacity];
    }

    /** Records a MsgApp whose last entry is {@code index} carrying {@code size} bytes. */
    public void add(long index, long size) {
        if (full()) {
            throw new IllegalStateException("cannot add into a full inflights window");
        }
        int next = (start + count) % capacity;
        indexes[next] = index;
        sizes[next] = size;
        count++;
        bytes += size;
    }

    /** Frees every in-flight message whose last index is {@code <= to}. */
    public void freeLE(long to) {
        while (count > 0 && indexes[start] <= to) {
            bytes -= sizes[start];
            start = (start + 1) % capacity;
            count--;
        }
        if (count == 0) {
            start = 0;
        }
    }

    /** Frees the oldest in-flight message (a heartbeat response proves the follower is alive). */
    public void freeFirstOne() {
        if (count > 0) {
            freeLE(indexes[start]);
        }
    }

    /** Whether no more MsgApp may be sent: the count or the byte budget is exhausted. */
    public boolean full() {
        return count == capacity || (maxBytes > 0 && bytes >= maxBytes);
    }

    public int count() {
        return count;
    }

    public long bytes() {
        return bytes;
    }

    public void reset() {
        start = 0;
        count = 0;
        bytes = 0;
    }
}
