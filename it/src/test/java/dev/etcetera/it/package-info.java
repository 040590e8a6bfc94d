/**
 * Black-box tests of an Etcetera member with real clients (etcdctl, jetcd, HTTP/JSON), differential against a
 * real etcd.
 *
 * <p>Differential invariant: both sides start empty and receive the same requests in the same order, so every
 * output must be equal after masking only what legitimately differs between two servers (cluster and member
 * ids, raft term and index, server version, db size, endpoint and timestamps). Revisions are never masked.
 * Before each scenario the store is emptied and the revisions of both sides are brought level, so one
 * divergence does not cascade into later scenarios.
 *
 * <p>The subject side is the member when {@code bin/etcetera} exists (or {@code -Detcetera.it.subject=member}),
 * otherwise a second real etcd, which proves the harness itself. Member-side differences that are known bugs are
 * listed in {@code src/test/resources/known-differences.txt}; a listed scenario that differs is reported as
 * skipped (with the diff), never silently passed.
 */
package dev.etcetera.it;
