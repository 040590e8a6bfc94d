package dev.etcetera.lease;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseCheckpoint;
import dev.etcetera.server.EtcdError;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's lessor: the leases of the member, the keys attached to each, and, on the leader only, when
 * each expires.
 *
 * <p>Two kinds of state. <b>Replicated</b> state (which leases exist, their granted TTL, checkpointed
 * remaining TTL, attached keys) changes only on the apply thread, from committed entries
 * ({@link #grant}, {@link #remove}, {@link #checkpoint}, {@link #attach}, {@link #detach}), so every
 * member holds the same. <b>Leader-local</b> state (expiry instants, the expiry and checkpoint
 * schedules) exists only while the lessor is primary ({@link #promote} .. {@link #demote}); a
 * follower never expires a lease. Only the primary decides a lease expired, and it then proposes a
 * revoke through the log like any write ({@link LeaseExpiry}); the lease goes away when that entry
 * is applied, on every member alike.
 *
 * <p>Threads: the apply thread, request threads (renew, time-to-live, list) and the expiry check
 * all call in; every method is short and holds the one monitor, as etcd's lessor holds its mutex.
 * Time comes only from the injected {@link LeaseClock}.
 */
public final class Lessor {

    /** A lease's state; guarded by the lessor's monitor. */
    private static final class Lease {
        final long id;
        final long ttl;
        long remainingTtl;
        /** Clock instant of expiry while primary; {@link Long#MAX_VALUE} ("forever") otherwise. */
        long expiry = Long.MAX_VALUE;
        /** When an expired lease is offered for revoking again. */
        long retryAt = Long.MAX_VALUE;
        /**
         * Keepalives of this lease that arrived after it expired wait here for its revoke (etcd's
         * revokec); null while none waits.
         */
        CompletableFuture<Void> revoked;
        final Set<ByteString> keys = new HashSet<>();

        Lease(long id, long ttl, long remainingTtl) {
            this.id = id;
            this.ttl = ttl;
            this.remainingTtl = remainingTtl;
        }

        /** etcd's getRemainingTTL: the checkpointed remainder if any, else the granted TTL. */
        long effectiveTtl() {
            return remainingTtl > 0 ? remainingTtl : ttl;
        }
    }

    /** An entry of a schedule; stale when the lease is gone or was rescheduled since. */
    private record Scheduled(long at, long id) {
    }

    /** What {@link #timeToLive} reports. {@code ttl} is the remaining whole seconds. */
    public record TimeToLive(long id, long ttl, long grantedTtl, List<ByteString> keys) {
    }

    /**
     * What {@link #renew} did: the TTL to report, and whether a checkpoint must be reset through the
     * log. For a lease that has expired but whose revoke is not applied yet, {@code pendingRevoke} is
     * not null: it completes once the revoke is applied (the keepalive is then answered as for an
     * unknown lease), or exceptionally with NOT_LEADER if this lessor is demoted first. It is completed
     * on the apply thread (or the demoting thread), never while the lessor's monitor is held.
     */
    public record Renewal(long ttl, boolean clearCheckpoint, CompletableFuture<Void> pendingRevoke) {
    }

    private static final Comparator<Scheduled> BY_TIME = Comparator.comparingLong(Scheduled::at).thenComparingLong(Scheduled::id);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Longest span tracked in nanoseconds (about 31 years): keeps instants far from overflow. */
    private static final long MAX_SPAN_NANOS = 1_000_000_000_000_000_000L;

    private final LeaseClock clock;
    private final long base;
    private final LeaseOptions options;
    private final Map<Long, Lease> leases = new HashMap<>();
    /** etcd's itemMap: which lease holds each key. */
    private final Map<ByteString, Long> keyLease = new HashMap<>();
    private final PriorityQueue<Scheduled> expiries = new PriorityQueue<>(BY_TIME);
    private final PriorityQueue<Scheduled> checkpoints = new PriorityQueue<>(BY_TIME);
    /** Checkpoint instant per lease; a schedule entry not matching it is stale. */
    private final Map<Long, Long> checkpointAt = new HashMap<>();
    private boolean primary;

    public Lessor(LeaseClock clock, LeaseOptions options) {
        this.clock = clock;
        this.base = clock.nanos();
        this.options = options;
    }

    public LeaseOptions options() {
        return options;
    }

    // ------------------------------------------------------------------ replicated state (apply thread)

    /** Restores a persisted lease at start, before the lessor is promoted. */
    public synchronized void recover(LeaseRecord r) {
        if (leases.putIfAbsent(r.id(), new Lease(r.id(), r.ttl(), r.remainingTtl())) != null) {
            throw new IllegalStateException("lease " + Long.toHexString(r.id()) + " recovered twice");
        }
    }

    public synchronized boolean exists(long id) {
        return leases.containsKey(id);
    }

    /**
     * The TTL a grant of {@code requested} seconds gets (etcd raises it to the minimum).
     *
     * @throws dev.etcetera.server.EtcdException LEASE_TTL_TOO_LARGE above {@link LeaseOptions#MAX_TTL_SECONDS}
     */
    public long grantedTtl(long requested) {
        if (requested > LeaseOptions.MAX_TTL_SECONDS) {
            throw EtcdError.LEASE_TTL_TOO_LARGE.exception();
        }
        return Math.max(requested, options.minTtlSeconds());
    }

    /**
     * Applies a grant: the lease exists from now on, and on the primary expires after its TTL.
     *
     * @return the persisted form of the new lease
     * @throws dev.etcetera.server.EtcdException LEASE_NOT_FOUND for ID 0, LEASE_EXISTS if taken,
     *         LEASE_TTL_TOO_LARGE; nothing changed then
     */
    public synchronized LeaseRecord grant(long id, long requestedTtl) {
        if (id == 0) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        long ttl = grantedTtl(requestedTtl);
        if (leases.containsKey(id)) {
            throw EtcdError.LEASE_EXISTS.exception();
        }
        Lease l = new Lease(id, ttl, 0);
        leases.put(id, l);
        if (primary) {
            refresh(l, 0, now());
            scheduleCheckpoint(l, now());
        }
        return new LeaseRecord(id, ttl, 0);
    }

    /**
     * The keys attached to lease {@code id}, in unsigned byte order (the order a revoke deletes them).
     *
     * @throws dev.etcetera.server.EtcdException LEASE_NOT_FOUND
     */
    public synchronized List<ByteString> keys(long id) {
        Lease l = leases.get(id);
        if (l == null) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        List<ByteString> keys = new ArrayList<>(l.keys);
        keys.sort(ByteString.unsignedLexicographicalComparator());
        return keys;
    }

    /**
     * Applies the end of a revoke: the lease is gone (its keys were deleted first). Keepalives that
     * waited for this revoke are released.
     */
    public void remove(long id) {
        CompletableFuture<Void> waiting = null;
        synchronized (this) {
            Lease l = leases.remove(id);
            if (l != null) {
                for (ByteString k : l.keys) {
                    keyLease.remove(k, id);
                }
                checkpointAt.remove(id);
                waiting = l.revoked;
            }
        }
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    /**
     * Applies a checkpoint: the lease's remaining TTL as the leader measured it (0 clears it), kept so
     * that a new leader does not grant the full TTL again.
     *
     * @return the persisted form, or null if the lease no longer exists
     */
    public synchronized LeaseRecord checkpoint(long id, long remainingTtl) {
        Lease l = leases.get(id);
        if (l == null) {
            return null;
        }
        l.remainingTtl = Math.max(0, remainingTtl);
        if (primary) {
            scheduleCheckpoint(l, now());
        }
        return new LeaseRecord(id, l.ttl, l.remainingTtl);
    }

    /** {@code key} was put with {@code lease} (0 = none): it leaves its previous lease, if another. */
    public synchronized void attach(ByteString key, long lease) {
        Long previous = lease == 0 ? keyLease.remove(key) : keyLease.put(key, lease);
        if (previous != null && previous != lease) {
            Lease old = leases.get(previous);
            if (old != null) {
                old.keys.remove(key);
            }
        }
        if (lease != 0) {
            Lease l = leases.get(lease);
            if (l == null) {
                // The applier checks the lease before the put; reaching here is a bug or a corrupt store.
                keyLease.remove(key);
                throw new IllegalStateException("key attached to unknown lease " + Long.toHexString(lease));
            }
            l.keys.add(key);
        }
    }

    /** {@code key} was deleted. */
    public synchronized void detach(ByteString key) {
        Long previous = keyLease.remove(key);
        if (previous != null) {
            Lease l = leases.get(previous);
            if (l != null) {
                l.keys.remove(key);
            }
        }
    }

    // ------------------------------------------------------------------ leader side

    public synchronized boolean isPrimary() {
        return primary;
    }

    /**
     * Becomes the lessor that tracks expiry (etcd's Promote): every lease gets its full TTL again, or
     * its checkpointed remainder, plus {@code extendNanos} (the time a new leader needs before its
     * keepalives can arrive). With at least {@link LeaseOptions#revokeRatePerSecond()} leases, expiries
     * that would pile up are then spread ({@link #spreadPiledUpExpiries}).
     */
    public synchronized void promote(long extendNanos) {
        primary = true;
        expiries.clear();
        checkpoints.clear();
        checkpointAt.clear();
        long now = now();
        for (Lease l : leases.values()) {
            refresh(l, extendNanos, now);
            scheduleCheckpoint(l, now);
        }
        if (leases.size() >= options.revokeRatePerSecond()) {
            spreadPiledUpExpiries();
        }
    }

    /**
     * After a promotion every lease counts down from the same moment, so leases of equal TTL (a
     * restart of a member holding thousands of same-TTL leases, say) would all expire in the same
     * instant and their revokes would take the whole revoke budget for many seconds. As etcd's
     * Promote does, at most three quarters of the revoke rate may expire within one second of the
     * start of a crowded window; each lease beyond that is pushed back in proportion to its place
     * in the crowd, so the revokes of the pile-up leave room for leases that expire on their own
     * schedule. A lease is only ever given more time, never less.
     */
    private void spreadPiledUpExpiries() {
        List<Lease> byExpiry = new ArrayList<>(leases.values());
        byExpiry.sort(Comparator.comparingLong((Lease l) -> l.expiry).thenComparingLong(l -> l.id));
        long perSecond = Math.max(1, 3L * options.revokeRatePerSecond() / 4);
        long windowStart = byExpiry.get(0).expiry;
        long windowEnd = windowStart + NANOS_PER_SECOND;
        long inWindow = 0;
        for (Lease l : byExpiry) {
            if (l.expiry > windowEnd) {
                windowStart = l.expiry; // a new, uncrowded window starts with this lease
                windowEnd = windowStart + NANOS_PER_SECOND;
                inWindow = 1;
                continue;
            }
            inWindow++;
            if (inWindow <= perSecond) {
                continue;
            }
            // the n-th lease of a crowded window expires n/perSecond seconds after the window's start
            long due = windowStart + inWindow * NANOS_PER_SECOND / perSecond;
            long delay = Math.max(0, due - l.expiry);
            windowEnd = Math.max(windowEnd, due);
            if (delay > 0) {
                l.expiry += delay;
                expiries.add(new Scheduled(l.expiry, l.id));
            }
        }
    }

    /**
     * Stops tracking expiry (etcd's Demote): leases live "forever" until a leader revokes them.
     * Keepalives waiting for the revoke of an expired lease fail with NOT_LEADER (the new leader
     * decides whether the lease lives).
     */
    public void demote() {
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        synchronized (this) {
            primary = false;
            for (Lease l : leases.values()) {
                l.expiry = Long.MAX_VALUE;
                l.retryAt = Long.MAX_VALUE;
                if (l.revoked != null) {
                    waiting.add(l.revoked);
                    l.revoked = null;
                }
            }
            expiries.clear();
            checkpoints.clear();
            checkpointAt.clear();
        }
        for (CompletableFuture<Void> w : waiting) {
            w.completeExceptionally(EtcdError.NOT_LEADER.exception());
        }
    }

    /**
     * A keepalive (etcd's Renew): the lease expires one full TTL from now. A lease that has already
     * expired is not renewed: its revoke is on the way, and the answer carries a future for it
     * ({@link Renewal#pendingRevoke()}), as etcd's Renew waits for the revoke before it answers "not
     * found".
     *
     * @throws dev.etcetera.server.EtcdException NOT_LEADER on a follower (the caller forwards to the
     *         leader); LEASE_NOT_FOUND if unknown
     */
    public synchronized Renewal renew(long id) {
        if (!primary) {
            throw EtcdError.NOT_LEADER.exception();
        }
        Lease l = leases.get(id);
        long now = now();
        if (l == null) {
            throw EtcdError.LEASE_NOT_FOUND.exception();
        }
        if (l.expiry <= now) {
            if (l.revoked == null) {
                l.revoked = new CompletableFuture<>();
            }
            return new Renewal(0, false, l.revoked);
        }
        // The full TTL, not a checkpointed remainder: the checkpoint is being cleared through the log
        // (etcd refreshes from the stale remainder until that entry applies; the intent is a full TTL).
        l.expiry = now + seconds(l.ttl);
        l.retryAt = Long.MAX_VALUE;
        expiries.add(new Scheduled(l.expiry, id));
        boolean clear = options.checkpointing() && l.remainingTtl > 0;
        scheduleCheckpointFor(l, now, l.ttl);
        return new Renewal(l.ttl, clear, null);
    }

    /** Remaining and granted TTL and, if asked, the keys of a lease; null if unknown. */
    public synchronized TimeToLive timeToLive(long id, boolean withKeys) {
        Lease l = leases.get(id);
        if (l == null) {
            return null;
        }
        long remaining;
        if (l.expiry == Long.MAX_VALUE) {
            remaining = l.effectiveTtl();
        } else {
            remaining = Math.max(0, (l.expiry - now()) / NANOS_PER_SECOND); // etcd truncates
        }
        List<ByteString> keys = List.of();
        if (withKeys) {
            List<ByteString> k = new ArrayList<>(l.keys);
            k.sort(ByteString.unsignedLexicographicalComparator());
            keys = k;
        }
        return new TimeToLive(id, remaining, l.ttl, keys);
    }

    /** The IDs of all leases, soonest expiry first (etcd's Leases order). */
    public synchronized List<Long> leases() {
        List<Lease> all = new ArrayList<>(leases.values());
        all.sort(Comparator.comparingLong((Lease l) -> l.expiry).thenComparingLong(l -> l.id));
        List<Long> ids = new ArrayList<>(all.size());
        for (Lease l : all) {
            ids.add(l.id);
        }
        return ids;
    }

    public synchronized int size() {
        return leases.size();
    }

    /**
     * Up to {@code max} leases that have expired, for the caller to revoke through the log. Each is
     * offered again after {@link LeaseOptions#expiredRetryNanos()} if it still exists then (the
     * revoke was lost). Empty unless primary.
     */
    public synchronized List<Long> expired(int max) {
        List<Long> out = new ArrayList<>();
        if (!primary) {
            return out;
        }
        long now = now();
        while (out.size() < max && !expiries.isEmpty() && expiries.peek().at() <= now) {
            Scheduled s = expiries.poll();
            Lease l = leases.get(s.id());
            if (l == null || l.expiry > now || (s.at() != l.expiry && s.at() != l.retryAt)) {
                continue; // revoked meanwhile, or renewed: a newer entry stands for it
            }
            out.add(l.id);
            // Stays expired (renew refuses it); offered again only if the revoke does not land.
            l.retryAt = now + options.expiredRetryNanos();
            expiries.add(new Scheduled(l.retryAt, l.id));
        }
        return out;
    }

    /**
     * Up to {@code max} checkpoints that are due: leases whose remaining TTL is worth recording
     * (etcd's findDueScheduledCheckpoints). Empty unless primary with checkpointing on.
     */
    public synchronized List<LeaseCheckpoint> dueCheckpoints(int max) {
        List<LeaseCheckpoint> out = new ArrayList<>();
        if (!primary || !options.checkpointing()) {
            return out;
        }
        long now = now();
        while (out.size() < max && !checkpoints.isEmpty() && checkpoints.peek().at() <= now) {
            Scheduled s = checkpoints.poll();
            Long at = checkpointAt.get(s.id());
            Lease l = leases.get(s.id());
            if (l == null || at == null || at != s.at()) {
                continue;
            }
            checkpointAt.remove(s.id());
            if (l.expiry <= now) {
                continue; // expired: the revoke decides
            }
            long remaining = (l.expiry - now + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND; // etcd rounds up
            if (remaining >= l.ttl) {
                continue;
            }
            out.add(LeaseCheckpoint.newBuilder().setID(l.id).setRemainingTTL(remaining).build());
        }
        return out;
    }

    // ------------------------------------------------------------------ internals

    private void refresh(Lease l, long extendNanos, long now) {
        l.expiry = now + Math.min(extendNanos, MAX_SPAN_NANOS) + seconds(l.effectiveTtl());
        l.retryAt = Long.MAX_VALUE;
        expiries.add(new Scheduled(l.expiry, l.id));
    }

    private void scheduleCheckpoint(Lease l, long now) {
        scheduleCheckpointFor(l, now, l.effectiveTtl());
    }

    /** etcd's scheduleCheckpointIfNeeded: only leases outliving the interval are checkpointed. */
    private void scheduleCheckpointFor(Lease l, long now, long ttlSeconds) {
        if (!options.checkpointing() || seconds(ttlSeconds) <= options.checkpointIntervalNanos()) {
            return;
        }
        long at = now + options.checkpointIntervalNanos();
        checkpointAt.put(l.id, at);
        checkpoints.add(new Scheduled(at, l.id));
    }

    /** Nanoseconds since this lessor was made: never negative, far from overflow. */
    private long now() {
        return clock.nanos() - base;
    }

    private static long seconds(long s) {
        return s >= MAX_SPAN_NANOS / NANOS_PER_SECOND ? MAX_SPAN_NANOS : s * NANOS_PER_SECOND;
    }
}
