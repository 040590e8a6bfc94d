package dev.etcetera.watch;

import dev.etcetera.api.etcdserverpb.WatchRequest;
import dev.etcetera.api.etcdserverpb.WatchResponse;
import dev.etcetera.server.EtcdException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client watch stream (etcd's {@code serverWatchStream} + {@code watchStream}): many watchers
 * multiplexed on one ordered sequence of {@link WatchResponse}s.
 *
 * <p>Threads and ownership.
 * <ul>
 *   <li>The adapter's receiving side calls {@link #request} (any thread, never blocks): requests are
 *       handed to the dispatch thread and handled in arrival order.</li>
 *   <li>The hub, under its lock (dispatch thread, or the apply thread dispatching a commit),
 *       appends responses to the outbound queue; it never waits for the client.
 *       Responses with events count against a bound ({@code bufferResponses}); when the bound is
 *       reached the watcher that could not be served becomes unsynced and later catches up from
 *       history. Control responses (created, canceled, progress) are few, one per client request or
 *       tick, and are always queued, so that their order with events is kept.</li>
 *   <li>One adapter thread takes responses with {@link #take} (blocking) and writes them to the
 *       client; it may block on the transport (flow control) without affecting anyone else.</li>
 * </ul>
 *
 * <p>Ordering: responses are taken in the order queued; for one watcher, created comes first, then
 * events in revision order with no gap and no duplicate, then at most one canceled.
 */
public final class WatchStream {
    /** A queued control response (not counted against the bound); event responses are queued bare. */
    private record Control(WatchResponse response) {
    }

    private static final Object END = new Object();

    private final WatchableStore hub;
    private final boolean requireLeader;
    private final int bufferResponses;
    /**
     * The outbound queue: event responses ({@link WatchResponse}), {@link Control}s and {@link #END}. An array
     * deque under a lock rather than a linked queue, so that queuing one of a fan-out's many responses
     * allocates nothing besides the response.
     */
    private final ArrayDeque<Object> out = new ArrayDeque<>();
    private final ReentrantLock outLock = new ReentrantLock();
    private final Condition notEmpty = outLock.newCondition();
    private final AtomicInteger queuedEvents = new AtomicInteger();
    /** Set by the hub when an offer failed; cleared by the taker when room returns. */
    private final AtomicBoolean starved = new AtomicBoolean();
    private volatile boolean ended;
    private volatile EtcdException failure;

    // --- guarded by the hub's lock ---
    final Map<Long, Watcher> watchers = new HashMap<>();
    long nextId;
    boolean progressRequested;
    boolean closed;

    WatchStream(WatchableStore hub, boolean requireLeader, int bufferResponses) {
        this.hub = hub;
        this.requireLeader = requireLeader;
        this.bufferResponses = bufferResponses;
    }

    /** Whether the client asked for watches that end when the member has no leader ({@code hasleader}). */
    public boolean requireLeader() {
        return requireLeader;
    }

    /** Handles a client request (create, cancel, progress) on the dispatch thread. Any thread; never blocks. */
    public void request(WatchRequest request) {
        hub.submit(() -> hub.handle(this, request));
    }

    /**
     * The next response, waiting for one; null once the stream has ended (closed by the client, or
     * failed: see {@link #failure()}). Adapter's sending thread only.
     */
    public WatchResponse take() throws InterruptedException {
        if (ended) {
            return null;
        }
        Object o;
        outLock.lockInterruptibly();
        try {
            while ((o = out.poll()) == null) {
                notEmpty.await();
            }
        } finally {
            outLock.unlock();
        }
        return unwrap(o);
    }

    /** As {@link #take()}, waiting at most {@code timeout}; null also on timeout (check {@link #ended()}). */
    public WatchResponse poll(long timeout, TimeUnit unit) throws InterruptedException {
        if (ended) {
            return null;
        }
        long nanos = unit.toNanos(timeout);
        Object o;
        outLock.lockInterruptibly();
        try {
            while ((o = out.poll()) == null) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
        } finally {
            outLock.unlock();
        }
        return unwrap(o);
    }

    private WatchResponse unwrap(Object o) {
        if (o == END) {
            ended = true;
            add(END); // every later take sees the end too
            return null;
        }
        if (o instanceof Control c) {
            return c.response();
        }
        int left = queuedEvents.decrementAndGet();
        if (left <= bufferResponses / 2 && starved.compareAndSet(true, false)) {
            hub.submit(hub::syncSoon); // victims of this stream may catch up now
        }
        return (WatchResponse) o;
    }

    private void add(Object o) {
        outLock.lock();
        try {
            out.add(o);
            notEmpty.signal(); // one taker at most
        } finally {
            outLock.unlock();
        }
    }

    /** True once {@link #take} returned null for good. */
    public boolean ended() {
        return ended;
    }

    /** Why the server ended the stream (e.g. NO_LEADER), or null if the client closed it or it is open. */
    public EtcdException failure() {
        return failure;
    }

    /** The client went away (or the adapter gives up): cancels every watcher. Any thread; idempotent. */
    public void close() {
        hub.submit(() -> hub.closeStream(this, null));
    }

    /** Responses with events queued and not yet taken. */
    public int queuedEventResponses() {
        return queuedEvents.get();
    }

    // ------------------------------------------------------------------ under the hub's lock

    boolean hasRoom() {
        return queuedEvents.get() < bufferResponses;
    }

    /**
     * Records that a watcher of this stream could not be served for lack of room, so that the
     * taker asks for a catch-up once the queue drains (the periodic sync is the fallback).
     */
    void markStarved() {
        starved.set(true);
    }

    /** Queues an event response if there is room; false marks the stream starved. */
    boolean offerEvents(WatchResponse r) {
        if (queuedEvents.get() >= bufferResponses) {
            starved.set(true);
            return false;
        }
        queuedEvents.incrementAndGet();
        add(r);
        return true;
    }

    /** Queues an event response regardless of the bound (the later fragments of one response). */
    void forceEvents(WatchResponse r) {
        queuedEvents.incrementAndGet();
        add(r);
    }

    /** Queues a control response (created, canceled, progress): always accepted. */
    void control(WatchResponse r) {
        add(new Control(r));
    }

    /** Ends the stream after what is queued; {@code why} null means a normal end. */
    void end(EtcdException why) {
        failure = why;
        add(END);
    }
}
