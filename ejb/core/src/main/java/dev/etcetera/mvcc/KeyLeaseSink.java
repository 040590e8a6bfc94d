package dev.etcetera.mvcc;

import com.google.protobuf.ByteString;

/**
 * What the store reports about keys' leases as it writes them (etcd's mvcc calls the lessor's
 * Attach and Detach from its write transactions). Called on the apply thread, in the order the
 * writes are made, before the batch commits: a failed batch stops the member, so the receiver never
 * has to undo.
 */
public interface KeyLeaseSink {

    /** A sink that ignores everything. */
    KeyLeaseSink NONE = new KeyLeaseSink() {
        @Override
        public void put(ByteString key, long lease) {
        }

        @Override
        public void deleted(ByteString key) {
        }
    };

    /** {@code key} was put with {@code lease} (0 = none); any earlier lease of the key no longer holds it. */
    void put(ByteString key, long lease);

    /** {@code key} was deleted; whatever lease held it no longer does. */
    void deleted(ByteString key);
}
