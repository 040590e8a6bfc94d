/**
 * etcd's watch: client streams ({@link dev.etcetera.watch.WatchStream}) multiplexing watchers over
 * key ranges, fed by the apply stage through {@link dev.etcetera.watch.WatchableStore} and, for
 * watchers that are behind, by the MVCC history ({@link dev.etcetera.watch.WatchHistory}).
 *
 * <p>Invariants.
 * <ul>
 *   <li><b>Fed after durability.</b> Events reach watchers only from commits the store has made
 *       durable and published ({@link dev.etcetera.mvcc.MvccStore.CommitListener}), in revision
 *       order; nothing here knows or assumes whether the member leads, so followers work alike.</li>
 *   <li><b>Ordered, unique, reliable, atomic.</b> Per watcher, events arrive in revision order, each
 *       once, every event of one revision in one response (or in consecutive fragments of it when
 *       the watcher asked for fragments). A watcher misses an event only when the history it needs
 *       was compacted; it is then canceled with {@code compact_revision}, as in etcd.</li>
 *   <li><b>Synced, unsynced, victims.</b> One lock guards all watcher state: the dispatch thread
 *       holds it for requests and catch-up, the apply thread only tries it to dispatch a commit
 *       itself (else the commit is queued behind earlier ones for the dispatch thread). Synced
 *       watchers get live events; a watcher created at an older revision, or whose stream's bounded
 *       queue is full (a victim), is unsynced and catches up from history up to exactly the
 *       dispatched revision, then rejoins the synced group: no gap, no duplicate. Neither the apply
 *       thread nor the dispatch thread ever waits for a client.</li>
 *   <li><b>Progress.</b> A progress response (watch_id -1) is queued only when every watcher of the
 *       stream is synced, behind every event up to its header revision, so that revision is exact
 *       for the whole stream; it is deferred, not dropped, while some watcher is behind.</li>
 *   <li><b>Memory.</b> An idle watcher costs its key bytes plus a few small objects (measured in
 *       the tests, well under 1 KiB); a stream's queued events are bounded by its buffer.</li>
 * </ul>
 */
package dev.etcetera.watch;
