package dev.etcetera.mvcc;

import dev.etcetera.api.mvccpb.KeyValue;

/**
 * One record of the revision database as the backend returns it.
 *
 * @param revision  the record's revision
 * @param tombstone true if the record marks a deletion; then {@code kv} carries only the key and
 *                  {@code mod_revision} (the delete's main revision)
 * @param kv        the key-value as written at that revision (immutable message, shared freely)
 */
public record StoredRevision(Revision revision, boolean tombstone, KeyValue kv) {
}
