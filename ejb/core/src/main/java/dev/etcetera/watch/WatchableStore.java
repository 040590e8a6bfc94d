package dev.etcetera.watch;

import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.etcdserverpb.WatchCreateRequest;
import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.api.mvccpb.Event;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.mvcc.StoredRevision;
import dev.etcetera.server.EtcdError;
import dev.etcetera.server.EtcdException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * etcd's watchable store: serves every {@link WatchStream} of the member from the commits the apply
 * stage publishes, and from the MVCC history for watchers that are behind.
 *
 * <p>Threads. All watcher state is guarded by one lock. The dispatch thread ("etcetera-watch") holds
 * it while it runs create/cancel/progress requests, catch-up of unsynced watchers from history,
 * progress ticks and the leader check. The apply thread calls {@link #committed} after each commit
 * is durable and published: if the lock is free at that moment and no earlier commit is still
 * queued, it dispatches the commit to the synced group itself (as etcd notifies watchers on its
 * apply path); otherwise it queues the commit for the dispatch thread. The apply thread only ever
 * <em>tries</em> the lock, so it never waits for catch-up or a request, and revisions are dispatched
 * in order whoever dispatches them. Dispatching on the apply thread saves a thread hand-off per
 * commit: on a busy machine that wake-up was the largest part of an event's tail latency
 * ({@code WatchLatencyBench}). Nobody holding the lock waits for a client: streams have bounded
 * outbound queues, and a watcher whose stream is full becomes unsynced (a "victim") and catches up
 * from history once its stream has room again, so one slow stream blocks neither apply nor others.
 *
 * <p>Guarantees (per watcher): events arrive in revision order, each exactly once, every event of
 * one revision in one response (fragmented only if the watcher asked for it); no event that
 * matches is skipped unless the history was compacted, in which case the watcher is canceled with
 * {@code compact_revision} as etcd does. {@code dispatched} is the revision up to which live events
 * have been handed to synced watchers; catch-up reads history up to exactly that revision, so the
 * switch from history to live has no gap and no duplicate.
 *
 * <p>Parts: this class owns the threads, the requests, the synced group and live dispatch;
 * {@link UnsyncedWatchers} holds the watchers that are behind and their catch-up from history;
 * {@link EventDelivery} builds and queues every event response for both. All three work under the
 * one lock.
 *
 * <p>Nothing here assumes the member leads: it only follows what the apply stage publishes.
 */
public final class WatchableStore implements MvccStore.CommitListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WatchableStore.class.getName());

    /** etcd's clientv3.InvalidWatchID: progress-all responses and failed creates carry it. */
    public static final long INVALID_WATCH_ID = -1;

    /**
     * Tunables.
     *
     * @param bufferResponses   event responses a stream may queue before its watchers become victims (etcd: 128)
     * @param progressInterval  {@code --watch-progress-notify-interval} in nanoseconds (etcd: 10 min)
     * @param maxRequestBytes   {@code --max-request-bytes}: responses above it are fragmented for watchers that asked
     * @param historyBatch      records read from history per catch-up step
     * @param syncInterval      how often unsynced watchers and the leader are looked at without a trigger (etcd: 100 ms)
     * @param inlineDispatchWatchers up to how many synced watchers the apply thread dispatches a commit itself
     *                          instead of handing it to the dispatch thread (0: never; see {@link #committed})
     */
    public record Config(int bufferResponses, long progressInterval, int maxRequestBytes, int historyBatch,
                         long syncInterval, int inlineDispatchWatchers) {
        public Config {
            if (bufferResponses < 2 || progressInterval <= 0 || maxRequestBytes <= 0 || historyBatch < 1 || syncInterval <= 0
                    || inlineDispatchWatchers < 0) {
                throw new IllegalArgumentException("invalid watch config " + this);
            }
        }

        public static Config defaults() {
            return new Config(128, TimeUnit.MINUTES.toNanos(10), 1572864, 1000, TimeUnit.MILLISECONDS.toNanos(100),
                    Integer.MAX_VALUE);
        }

        public Config withProgressInterval(long nanos) {
            return new Config(bufferResponses, nanos, maxRequestBytes, historyBatch, syncInterval, inlineDispatchWatchers);
        }

        public Config withBufferResponses(int n) {
            return new Config(n, progressInterval, maxRequestBytes, historyBatch, syncInterval, inlineDispatchWatchers);
        }

        public Config withMaxRequestBytes(int n) {
            return new Config(bufferResponses, progressInterval, n, historyBatch, syncInterval, inlineDispatchWatchers);
        }

        public Config withInlineDispatchWatchers(int n) {
            return new Config(bufferResponses, progressInterval, maxRequestBytes, historyBatch, syncInterval, n);
        }

        public Config withHistoryBatch(int n) {
            return new Config(bufferResponses, progressInterval, maxRequestBytes, n, syncInterval, inlineDispatchWatchers);
        }
    }

    /** One commit's changes queued for the dispatch thread, dispatched in the order commits happened. */
    private final class Committed implements Runnable {
        private final long rev;
        private final List<StoredRevision> changes;

        Committed(long rev, List<StoredRevision> changes) {
            this.rev = rev;
            this.changes = changes;
        }

        @Override
        public void run() {
            dispatch(rev, changes);
        }
    }

    private static final Runnable STOP = () -> { };

    private final BooleanSupplier hasLeader;
    private final LongSupplier clock;
    private final Config config;
    private final LinkedBlockingQueue<Runnable> tasks = new LinkedBlockingQueue<>();
    /**
     * Guards all watcher state. Held by the dispatch thread while it runs tasks and catch-up, and by
     * the apply thread while it dispatches a commit itself; the apply thread only ever tries it.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Tasks (requests, commits) ever queued for the dispatch thread, counted before they are queued. Any thread. */
    private final AtomicLong submitted = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    // --- guarded by lock (the dispatch thread, or the apply thread in committed) ---
    private long dispatched;
    private final WatcherGroup synced = new WatcherGroup();
    private final UnsyncedWatchers unsynced;
    private final EventDelivery delivery;
    private final Set<WatchStream> streams = new HashSet<>();
    private final Set<Watcher> progressWatchers = new LinkedHashSet<>();
    private final Set<WatchStream> progressPending = new LinkedHashSet<>();
    private boolean syncRequested;
    /** Queued tasks run so far; equal to {@code submitted} when none is pending or under way. */
    private long ran;
    private long nextProgressTick;
    private long nextSync;

    /**
     * @param headerBase cluster_id, member_id and raft_term for response headers (revision is set here)
     * @param hasLeader  whether the member currently knows a leader (for {@code hasleader} streams)
     * @param clock      monotonic nanoseconds (progress ticks)
     */
    public WatchableStore(WatchHistory history, Supplier<ResponseHeader> headerBase, BooleanSupplier hasLeader,
                          LongSupplier clock, Config config) {
        this.hasLeader = hasLeader;
        this.clock = clock;
        this.config = config;
        this.dispatched = history.revision();
        this.delivery = new EventDelivery(history, headerBase, config.maxRequestBytes());
        this.unsynced = new UnsyncedWatchers(history, config.historyBatch(), delivery);
        this.thread = new Thread(this::run, "etcetera-watch");
        this.thread.setDaemon(true);
    }

    public void start() {
        long now = clock.getAsLong();
        nextProgressTick = now + config.progressInterval();
        nextSync = now + config.syncInterval();
        thread.start();
    }

    /**
     * Apply thread: the changes of one commit, published at {@code rev}. Never blocks.
     *
     * <p>If the watcher state is free (the dispatch thread is not using it) and every task queued
     * before (earlier commits, and client requests such as a create sent before this write) has run,
     * the changes are dispatched here and now: that saves the hand-off to the dispatch thread (a
     * thread wake-up, the largest part of an event's latency on a busy machine). Otherwise, or when
     * the synced group is larger than {@link Config#inlineDispatchWatchers}, they are queued for the
     * dispatch thread behind those tasks. Either way commits are dispatched in revision order and
     * after every request submitted before them, as when every commit was queued. Dispatching queues
     * responses and never waits for a client.
     */
    @Override
    public void committed(long rev, List<StoredRevision> changes) {
        if (!closed && lock.tryLock()) {
            try {
                if (ran == submitted.get() && synced.size() <= config.inlineDispatchWatchers()) {
                    dispatch(rev, changes);
                    answerPendingProgress();
                    return;
                }
            } catch (RuntimeException | Error e) {
                // the watch stage fails as it would on its own thread; the apply thread goes on
                tasks.add(() -> {
                    throw e;
                });
                return;
            } finally {
                lock.unlock();
            }
        }
        submit(new Committed(rev, changes));
    }

    /**
     * Opens a client stream. If {@code requireLeader} and the member has no leader, the stream is
     * ended at once with NO_LEADER (etcd refuses such a stream); it is also ended later whenever the
     * leader is lost. Any thread.
     */
    public WatchStream openStream(boolean requireLeader) {
        WatchStream s = new WatchStream(this, requireLeader, config.bufferResponses());
        if (closed) {
            s.end(EtcdError.STOPPED.exception());
            return s;
        }
        if (requireLeader && !hasLeader.getAsBoolean()) {
            s.end(EtcdError.NO_LEADER.exception());
            return s;
        }
        submit(() -> {
            if (closed) {
                s.end(EtcdError.STOPPED.exception());
            } else {
                streams.add(s);
            }
        });
        return s;
    }

    void submit(Runnable task) {
        submitted.incrementAndGet();
        tasks.add(task);
    }

    /** Stops the dispatch thread; open streams end with STOPPED. Any thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tasks.add(STOP);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ dispatch loop

    private void run() {
        List<Runnable> batch = new ArrayList<>();
        try {
            while (true) {
                long now = clock.getAsLong();
                long wait = Math.max(0, Math.min(nextSync, nextProgressTick) - now);
                boolean more;
                lock.lock();
                try {
                    more = syncRequested && hasRunnableUnsynced();
                } finally {
                    lock.unlock();
                }
                Runnable first = more ? tasks.poll() : tasks.poll(wait, TimeUnit.NANOSECONDS);
                lock.lock();
                try {
                    if (!step(first, batch)) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "watch dispatch stopped", e);
        } finally {
            closed = true;
            lock.lock();
            try {
                for (WatchStream s : streams) {
                    s.end(EtcdError.STOPPED.exception());
                }
                streams.clear();
            } finally {
                lock.unlock();
            }
        }
    }

    /** One turn of the dispatch loop, holding the lock: the tasks, then periodic work. False on STOP. */
    private boolean step(Runnable first, List<Runnable> batch) {
        if (first != null) {
            batch.clear();
            batch.add(first);
            tasks.drainTo(batch, 1024);
            for (Runnable t : batch) {
                if (t == STOP) {
                    return false;
                }
                t.run();
                ran++;
            }
        }
        long now = clock.getAsLong();
        if (now >= nextSync) {
            nextSync = now + config.syncInterval();
            syncRequested = true;
            checkLeader();
        }
        if (syncRequested) {
            syncRequested = syncUnsynced();
        }
        answerPendingProgress();
        if (now >= nextProgressTick) {
            nextProgressTick = now + config.progressInterval();
            progressTick();
        }
        return true;
    }

    void syncSoon() {
        syncRequested = true;
    }

    private boolean hasRunnableUnsynced() {
        return unsynced.hasRunnable();
    }

    private WatchResponse.Builder response(long rev, long watchId) {
        return delivery.response(rev, watchId);
    }

    // ------------------------------------------------------------------ requests

    void handle(WatchStream s, WatchRequest request) {
        if (s.closed) {
            return;
        }
        switch (request.getRequestUnionCase()) {
            case CREATE_REQUEST -> create(s, request.getCreateRequest());
            case CANCEL_REQUEST -> cancel(s, request.getCancelRequest().getWatchId());
            case PROGRESS_REQUEST -> {
                s.progressRequested = true;
                progressPending.add(s);
                answerPendingProgress();
            }
            default -> {
                // etcd ignores an unknown request instead of ending the stream
            }
        }
    }

    private void create(WatchStream s, WatchCreateRequest c) {
        if (c.getStartRevision() < 0) {
            s.control(response(dispatched, INVALID_WATCH_ID).setCreated(true).setCanceled(true)
                    .setCancelReason(EtcdError.COMPACTED.message()).build());
            return;
        }
        byte[] key = c.getKey().isEmpty() ? new byte[] {0} : c.getKey().toByteArray(); // "\0" is the smallest key
        byte[] end;
        if (c.getRangeEnd().isEmpty()) {
            end = null;
        } else if (c.getRangeEnd().size() == 1 && c.getRangeEnd().byteAt(0) == 0) {
            end = new byte[0];
        } else {
            end = c.getRangeEnd().toByteArray();
        }
        String error = null;
        if (end != null && end.length > 0 && Arrays.compareUnsigned(key, end) >= 0) {
            error = "mvcc: watcher range is empty";
        }
        long id = c.getWatchId();
        if (error == null) {
            if (id == 0) {
                while (s.watchers.containsKey(s.nextId)) {
                    s.nextId++;
                }
                id = s.nextId++;
            } else if (s.watchers.containsKey(id)) {
                error = "mvcc: duplicate watch ID provided on the WatchStream";
            }
        }
        if (error != null) {
            s.control(response(dispatched, INVALID_WATCH_ID).setCreated(true).setCanceled(true)
                    .setCancelReason(error).build());
            return;
        }
        boolean noPut = false;
        boolean noDelete = false;
        for (WatchCreateRequest.FilterType f : c.getFiltersList()) {
            if (f == WatchCreateRequest.FilterType.NOPUT) {
                noPut = true;
            } else if (f == WatchCreateRequest.FilterType.NODELETE) {
                noDelete = true;
            }
        }
        long start = c.getStartRevision();
        boolean live = start == 0 || start > dispatched;
        Watcher w = new Watcher(s, id, key, end, noPut, noDelete, c.getPrevKv(), c.getProgressNotify(),
                c.getFragment(), start, live ? Math.max(dispatched + 1, start) : start);
        s.watchers.put(id, w);
        s.control(response(dispatched, id).setCreated(true).build());
        if (w.progressNotify) {
            progressWatchers.add(w);
        }
        if (live) {
            w.synced = true;
            synced.add(w);
        } else {
            unsynced.add(w);
            syncRequested = true;
        }
    }

    private void cancel(WatchStream s, long id) {
        Watcher w = s.watchers.get(id);
        if (w == null) {
            return; // etcd answers nothing for an unknown watch ID
        }
        remove(w);
        s.control(response(dispatched, id).setCanceled(true).build());
    }

    private void remove(Watcher w) {
        w.canceled = true;
        w.stream.watchers.remove(w.id);
        if (w.synced) {
            synced.remove(w);
        } else {
            unsynced.remove(w);
        }
        progressWatchers.remove(w);
    }

    void closeStream(WatchStream s, EtcdException why) {
        if (s.closed) {
            return;
        }
        s.closed = true;
        for (Watcher w : new ArrayList<>(s.watchers.values())) {
            remove(w);
        }
        streams.remove(s);
        progressPending.remove(s);
        s.end(why);
    }

    private void checkLeader() {
        boolean any = false;
        for (WatchStream s : streams) {
            any |= s.requireLeader();
        }
        if (!any || hasLeader.getAsBoolean()) {
            return;
        }
        for (WatchStream s : new ArrayList<>(streams)) {
            if (s.requireLeader()) {
                closeStream(s, EtcdError.NO_LEADER.exception());
            }
        }
    }

    // ------------------------------------------------------------------ progress

    /** A stream's progress may be reported once none of its watchers is behind (etcd's progressIfSync). */
    private boolean streamSynced(WatchStream s) {
        for (Watcher w : s.watchers.values()) {
            if (!w.synced || dispatched < w.startRev) {
                return false;
            }
        }
        return true;
    }

    private void answerPendingProgress() {
        if (progressPending.isEmpty()) {
            return;
        }
        for (var it = progressPending.iterator(); it.hasNext(); ) {
            WatchStream s = it.next();
            if (s.closed) {
                it.remove();
            } else if (streamSynced(s)) {
                // queued behind every event response up to `dispatched`: "all events <= rev were sent"
                s.control(response(dispatched, INVALID_WATCH_ID).build());
                s.progressRequested = false;
                it.remove();
            }
        }
    }

    private void progressTick() {
        for (Watcher w : progressWatchers) {
            if (!w.sentSinceTick && w.synced && dispatched >= w.startRev && w.stream.hasRoom()) {
                w.stream.offerEvents(response(dispatched, w.id).build());
            }
            w.sentSinceTick = false;
        }
    }

    // ------------------------------------------------------------------ live dispatch

    /** Per-revision scratch: the events each matched watcher gets (revisions with several changes). */
    private final Map<Watcher, List<Event>> matched = new IdentityHashMap<>();
    /** Per-revision scratch: the watchers of a revision with one change, which all get the same event. */
    private final List<Watcher> matchedOne = new ArrayList<>();

    private void dispatch(long rev, List<StoredRevision> changes) {
        int i = 0;
        while (i < changes.size()) {
            long main = changes.get(i).revision().main();
            int j = i;
            while (j < changes.size() && changes.get(j).revision().main() == main) {
                j++;
            }
            dispatchRevision(main, changes.subList(i, j));
            i = j;
        }
        dispatched = Math.max(dispatched, rev);
    }

    private void dispatchRevision(long main, List<StoredRevision> changes) {
        if (synced.isEmpty()) {
            dispatched = main;
            return;
        }
        if (changes.size() == 1) {
            // the common case (one put or delete): one event list shared by every watcher, no per-watcher
            // scratch, so a fan-out to many watchers allocates little besides their responses
            StoredRevision c = changes.get(0);
            List<Event> one = List.of(EventDelivery.event(c));
            matchedOne.clear();
            synced.match(c.kv().getKey().toByteArray(), w -> {
                if (w.nextRev <= main) {
                    matchedOne.add(w);
                }
            });
            for (int k = 0; k < matchedOne.size(); k++) {
                deliverLive(matchedOne.get(k), one, main, true);
            }
            matchedOne.clear();
        } else {
            matched.clear();
            for (StoredRevision c : changes) {
                Event e = EventDelivery.event(c);
                synced.match(c.kv().getKey().toByteArray(), w -> {
                    if (w.nextRev <= main) {
                        matched.computeIfAbsent(w, k -> new ArrayList<>(2)).add(e);
                    }
                });
            }
            for (Map.Entry<Watcher, List<Event>> m : matched.entrySet()) {
                deliverLive(m.getKey(), m.getValue(), main, false);
            }
            matched.clear();
        }
        dispatched = main;
    }

    /** Delivers a live revision to a synced watcher; a watcher whose stream is full becomes a victim. */
    private void deliverLive(Watcher w, List<Event> events, long main, boolean shared) {
        if (!delivery.deliver(w, events, main, shared)) {
            // victim: its stream is full; it catches up from history at this revision
            synced.remove(w);
            w.synced = false;
            w.nextRev = main;
            unsynced.add(w);
        }
    }

    // ------------------------------------------------------------------ catch-up from history

    /** One catch-up step of the unsynced watchers ({@link UnsyncedWatchers#step}); true if another may do more now. */
    private boolean syncUnsynced() {
        return unsynced.step(dispatched, this::remove, this::toSynced);
    }

    private void toSynced(Watcher w) {
        unsynced.remove(w);
        w.synced = true;
        if (w.nextRev <= dispatched) {
            w.nextRev = dispatched + 1;
        }
        synced.add(w);
    }

    // ------------------------------------------------------------------ introspection (tests, metrics)

    /** Watchers currently behind (unsynced or victims). Dispatch-thread state read racily: metrics only. */
    public int slowWatchers() {
        return unsynced.size();
    }
}
