/**
 * etcd's server-side concurrency helpers, the {@code v3lockpb.Lock} and {@code v3electionpb.Election}
 * services (etcd's {@code v3lock} and {@code v3election}, which run clientv3's {@code concurrency}
 * recipes against the local server). Built only on the member facade: KV requests, lease grants and
 * a narrow "the revision moved past r" notification ({@link dev.etcetera.server.EtcdServer#revisionAbove}),
 * which stands in for watches until the watch package can replace it.
 *
 * <p>Invariants (etcd's recipes): a waiter's key is {@code name/<lease hex>}, put with its lease in a
 * txn guarded on "create revision = 0"; the owner of a lock or the leader of an election is the key
 * under {@code name/} with the lowest create revision; a waiter proceeds only once every key under
 * {@code name/} with a lower create revision is gone. A key dies with its lease, so a lock or a
 * leadership is only as safe as its lease: a holder that stalls past its TTL loses it while it may
 * still believe it holds it (etcd's documented caveat; use the key's revision as a fencing token).
 * A waiter whose caller gives up ({@link dev.etcetera.concurrency.Cancellation}) deletes its key or
 * resigns before it fails, and never takes the lock or leadership afterwards, as etcd's recipes do
 * when the request's context ends.
 *
 * <p>Threads: nothing here blocks; every step is a continuation of a facade future.
 */
package dev.etcetera.concurrency;
