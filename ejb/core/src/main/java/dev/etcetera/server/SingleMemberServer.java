package dev.etcetera.server;

import com.google.protobuf.Message;
import dev.etcetera.api.etcdserverpb.CompactionRequest;
import dev.etcetera.api.etcdserverpb.CompactionResponse;
import dev.etcetera.api.etcdserverpb.DeleteRangeRequest;
import dev.etcetera.api.etcdserverpb.DeleteRangeResponse;
import dev.etcetera.api.etcdserverpb.LeaseCheckpoint;
import dev.etcetera.api.etcdserverpb.LeaseCheckpointRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseGrantResponse;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveRequest;
import dev.etcetera.api.etcdserverpb.LeaseKeepAliveResponse;
import dev.etcetera.api.etcdserverpb.LeaseLeasesRequest;
import dev.etcetera.api.etcdserverpb.LeaseLeasesResponse;
import dev.etcetera.api.etcdserverpb.LeaseRevokeRequest;
import dev.etcetera.api.etcdserverpb.LeaseRevokeResponse;
import dev.etcetera.api.etcdserverpb.LeaseStatus;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.api.etcdserverpb.PutResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.api.etcdserverpb.RangeResponse;
import dev.etcetera.api.etcdserverpb.RequestOp;
import dev.etcetera.api.etcdserverpb.ResponseHeader;
import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.api.etcdserverpb.TxnRequest;
import dev.etcetera.api.etcdserverpb.TxnResponse;
import dev.etcetera.api.internal.InternalRaftRequest;
import dev.etcetera.api.internal.RequestHeader;
import dev.etcetera.apply.Applier;
import dev.etcetera.apply.LeaseLookup;
import dev.etcetera.lease.LeaseApplier;
import dev.etcetera.lease.LeaseClock;
import dev.etcetera.lease.LeaseExpiry;
import dev.etcetera.lease.LeaseOptions;
import dev.etcetera.lease.Lessor;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.MvccStore;
import dev.etcetera.watch.WatchHistory;
import dev.etcetera.watch.WatchStream;
import dev.etcetera.watch.WatchableStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A one-member etcd server: the {@link EtcdServer} facade over the MVCC store, with writes taking the
 * same path Raft will drive (envelope with a unique ID -> {@link Proposer} -> committed entry ->
 * {@link ApplyLoop} -> caller's future by ID) and linearizable reads going through a
 * {@link ReadIndex} step.
 *
 * <p>Threads: facade methods run on the caller's thread, validate, and either answer a read at once
 * or hand off; they never block. Writes are applied on the apply thread ("etcetera-apply") and their
 * futures completed there, once durable. A linearizable read that must wait for the applied index is
 * run, when it may, on a virtual thread. {@link #close()} may be called from any thread once.
 *
 * <p>Quota: a put or a txn with puts fails with NO_SPACE while the backend is larger than
 * {@link ServerLimits#quotaBackendBytes()} (a local check; the cluster-wide NOSPACE alarm comes with
 * the maintenance issue). Range and DeleteRange always pass, as in etcd.
 */
public final class SingleMemberServer implements EtcdServer {
    private static final System.Logger LOG = System.getLogger(SingleMemberServer.class.getName());
    /** etcd's per-key overhead in its quota cost estimate. */
    private static final int KV_OVERHEAD = 256;

    private final MemberInfo info;
    private final ServerLimits limits;
    private final Backend backend;
    private final MvccStore store;
    private final Wait wait = new Wait();
    private final AppliedIndexWait appliedWait;
    private final ApplyLoop applyLoop;
    private final Proposer proposer;
    private final ReadIndex readIndex;
    /** The journal writes go through first, or null when backend commits are synced instead. */
    private final WriteAheadLog wal;
    /**
     * The term of a fresh member's bootstrap entries (etcd logs its initial configuration at term
     * 1); every start then takes the next term, as etcd's member campaigns at every start, so a
     * fresh single member answers with raft_term 2 like etcd, and each restart adds one.
     */
    static final long BOOTSTRAP_TERM = 1;
    private final long replayedTo;
    private volatile Throwable walFailure;
    private final RequestIds ids;
    private final ExecutorService deferredReads = Executors.newVirtualThreadPerTaskExecutor();
    private final String storageVersion;
    /** Null when opened with a bare {@link LeaseLookup} (no lease service). */
    private final Lessor lessor;
    private ScheduledExecutorService lessorTicks;
    private volatile boolean closed;
    private volatile ResponseHeader header;
    /** The watch stage, fed by the store's commits (see dev.etcetera.watch). */
    private final WatchableStore watchable;

    private SingleMemberServer(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup leases,
                               WriteAheadLog wal, WatchableStore.Config watchConfig,
                               LeaseOptions leaseOptions, LeaseClock clock) {
        this.info = info;
        this.limits = limits;
        this.backend = backend;
        this.wal = wal;
        this.store = MvccStore.open(backend);
        if (leaseOptions != null) {
            this.lessor = new Lessor(clock, leaseOptions);
            LeaseApplier leaseApplier = new LeaseApplier(lessor, store);
            dev.etcetera.lease.LeaseRecovery.recover(lessor, backend, store);
            store.leaseSink(leaseApplier);
            leases = leaseApplier;
        } else {
            this.lessor = null;
        }
        this.appliedWait = new AppliedIndexWait(store.consistentIndex());
        this.applyLoop = new ApplyLoop(store, new Applier(store, leases), wait, appliedWait, info, limits,
                wal == null ? ApplyDurability.SYNC_EVERY_COMMIT : wal);
        long term;
        if (wal == null) {
            term = Math.max(BOOTSTRAP_TERM, store.consistentTerm()) + 1;
            LocalProposer p = new LocalProposer(applyLoop, term, store.consistentIndex());
            this.proposer = p;
            this.readIndex = p;
            this.replayedTo = store.consistentIndex();
        } else {
            WalProposer p = WalProposer.open(applyLoop, wal, store.consistentIndex(), store.consistentTerm(),
                    this::walFailed);
            term = p.term();
            this.proposer = p;
            this.readIndex = p;
            this.replayedTo = p.replayedTo();
        }
        this.ids = new RequestIds(info.memberId(), System.currentTimeMillis());
        this.header = ResponseHeader.newBuilder()
                .setClusterId(info.clusterId()).setMemberId(info.memberId()).setRaftTerm(term).build();
        this.storageVersion = majorMinor(info.serverVersion()) + ".0";
        // A single member always has a leader: itself.
        this.watchable = new WatchableStore(WatchHistory.of(store), () -> header, () -> true, System::nanoTime, watchConfig);
        store.onCommit(watchable);
    }

    /**
     * Opens a single member over {@code backend}: rebuilds the key index, restores the revision, the
     * applied index and the compaction marks, resumes an interrupted compaction, and starts the apply
     * thread. Each write is made durable by a synced backend commit (one per group of writes). The
     * server owns the backend from now on and closes it in {@link #close()}.
     */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend) {
        return open(info, limits, backend, LeaseOptions.defaults(), LeaseClock.SYSTEM);
    }

    /** As {@link #open(MemberInfo, ServerLimits, Backend)} without a lessor: {@code leases} answers lookups. */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup leases) {
        return open(info, limits, backend, leases, defaultWatch(limits));
    }

    /** As {@link #open(MemberInfo, ServerLimits, Backend, LeaseLookup)}, with the watch stage's tunables. */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup leases,
                                          WatchableStore.Config watchConfig) {
        return openWith(info, limits, backend, leases, null, watchConfig, null, null);
    }

    /**
     * As {@link #open(MemberInfo, ServerLimits, Backend)} with a lessor on {@code clock}: persisted
     * leases are recovered and, this member being the leader, promoted (each gets its full or
     * checkpointed TTL from now); expired leases are then revoked through the log by a scheduler
     * thread ("etcetera-lessor") every {@link LeaseOptions#checkIntervalNanos()}.
     */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend,
                                          LeaseOptions leaseOptions, LeaseClock clock) {
        return openWith(info, limits, backend, null, null, defaultWatch(limits), leaseOptions, clock);
    }

    /**
     * The member as {@code bin/etcetera} runs it: journal-first durability (see
     * {@link #open(MemberInfo, ServerLimits, Backend, LeaseLookup, WriteAheadLog)}), the watch stage
     * with {@code watchConfig}, and a lessor on {@code clock}.
     */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend, WriteAheadLog wal,
                                          WatchableStore.Config watchConfig, LeaseOptions leaseOptions, LeaseClock clock) {
        return openWith(info, limits, backend, null, wal, watchConfig, leaseOptions, clock);
    }

    private static WatchableStore.Config defaultWatch(ServerLimits limits) {
        return WatchableStore.Config.defaults().withMaxRequestBytes(limits.maxRequestBytes());
    }

    /**
     * Builds and starts the member. With a log ({@code wal} non-null) backend commits are not synced,
     * and before returning the entries the log holds beyond the backend's consistent index are
     * replayed through the apply stage; the lessor starts only after that replay. The server owns the
     * backend and the log from the call on, also when opening fails.
     */
    private static SingleMemberServer openWith(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup lookup,
                                               WriteAheadLog wal, WatchableStore.Config watchConfig,
                                               LeaseOptions leaseOptions, LeaseClock clock) {
        SingleMemberServer s;
        try {
            s = new SingleMemberServer(info, limits, backend, lookup, wal, watchConfig, leaseOptions, clock);
        } catch (RuntimeException e) {
            if (wal != null) {
                wal.close();
            }
            backend.close(); // the server owns the backend from the call on, also when opening fails
            throw e;
        }
        s.watchable.start();
        s.applyLoop.start();
        // The member took a new term (etcd's new leader logs an empty entry at its term): logging
        // that entry keeps the term for the next start even if no write follows. It lands right
        // after the replayed entries, so it is applied before any client write. With a log, open
        // does not wait for its fsync (a start that dies before it is durable takes the same term
        // again next time); without one it is applied at once and waited for.
        long awaited = wal == null ? s.replayedTo + 1 : s.replayedTo;
        try {
            s.proposer.propose(InternalRaftRequest.getDefaultInstance());
            s.appliedWait.await(awaited).join();
        } catch (RuntimeException e) {
            s.close();
            throw new IllegalStateException("applying the log up to index " + awaited + " at start failed: "
                    + (s.applyLoop.failure() != null ? s.applyLoop.failure() : unwrap(e)), e);
        }
        if (s.lessor != null) {
            s.startLessor();
        }
        return s;
    }

    /**
     * Opens a single member with journal-first durability (see {@link WalProposer}): backend commits
     * are not synced; every write is durable in {@code wal} before it is applied. Before returning,
     * replays the entries the log holds beyond the backend's consistent index through the apply
     * stage and waits until they are applied. The server owns both the backend and the log from
     * the call on (also when opening fails) and closes them in {@link #close()}.
     *
     * @throws IllegalStateException if the log cannot be replayed, or applying the replay failed
     */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup leases,
                                          WriteAheadLog wal) {
        return openWith(info, limits, backend, leases, wal, defaultWatch(limits), null, null);
    }

    /** As {@link #open(MemberInfo, ServerLimits, Backend, LeaseLookup, WriteAheadLog)}, with the watch stage's tunables. */
    public static SingleMemberServer open(MemberInfo info, ServerLimits limits, Backend backend, LeaseLookup leases,
                                          WriteAheadLog wal, WatchableStore.Config watchConfig) {
        return openWith(info, limits, backend, leases, wal, watchConfig, null, null);
    }

    /** The log failed (its thread): nothing more can be made durable, so fail everyone waiting. */
    private void walFailed(Throwable cause) {
        walFailure = cause;
        EtcdException stopped = EtcdError.STOPPED.exception();
        wait.failAll(stopped);
        appliedWait.failAll(stopped);
    }

    private static String majorMinor(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public CompletableFuture<RangeResponse> range(RangeRequest request) {
        try {
            checkOpen();
            RequestChecks.checkRange(request);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return read(request.getSerializable(), () -> Applier.range(store.readView(), request, header));
    }

    /**
     * Runs a read at the published revision: at once if serializable or if everything committed
     * before the read arrived is already applied, else once it is.
     */
    private <T> CompletableFuture<T> read(boolean serializable, Supplier<T> read) {
        if (serializable) {
            return runRead(read);
        }
        CompletableFuture<Long> readIndex = this.readIndex.readIndex();
        if (readIndex.isDone() && !readIndex.isCompletedExceptionally() && appliedWait.applied() >= readIndex.join()) {
            return runRead(read);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        readIndex.thenCompose(appliedWait::await).whenComplete((ignored, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            try {
                deferredReads.execute(() -> runRead(read).whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                }));
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(EtcdError.STOPPED.exception());
            }
        });
        return result;
    }

    private <T> CompletableFuture<T> runRead(Supplier<T> read) {
        try {
            checkOpen();
            return CompletableFuture.completedFuture(read.get());
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            // A read racing with close() may find the backend closed under it.
            return CompletableFuture.failedFuture(closed ? EtcdError.STOPPED.exception() : e);
        }
    }

    private static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public CompletableFuture<PutResponse> put(PutRequest request) {
        try {
            checkOpen();
            checkQuota(KV_OVERHEAD + request.getKey().size() + request.getValue().size());
            RequestChecks.checkPut(request);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return propose(InternalRaftRequest.newBuilder().setPut(request));
    }

    @Override
    public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
        try {
            checkOpen();
            RequestChecks.checkDeleteRange(request);
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return propose(InternalRaftRequest.newBuilder().setDeleteRange(request));
    }

    @Override
    public CompletableFuture<TxnResponse> txn(TxnRequest request) {
        try {
            checkOpen();
            checkQuota(txnCost(request));
            RequestChecks.checkTxn(request, limits.maxTxnOps());
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (Applier.isReadOnly(request)) {
            return read(Applier.isSerializable(request), () -> Applier.readOnlyTxn(store.readView(), request, header));
        }
        return propose(InternalRaftRequest.newBuilder().setTxn(request));
    }

    @Override
    public CompletableFuture<CompactionResponse> compact(CompactionRequest request) {
        try {
            checkOpen();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return propose(InternalRaftRequest.newBuilder().setCompaction(request));
    }

    /**
     * etcd's processInternalRaftRequestOnce: refuse when apply lags commit too far, stamp a unique ID,
     * check the envelope's size, register the waiter, propose.
     */
    @SuppressWarnings("unchecked")
    private <T extends Message> CompletableFuture<T> propose(InternalRaftRequest.Builder envelope) {
        if (proposer.committedIndex() - appliedWait.applied() > limits.maxApplyLag()) {
            return CompletableFuture.failedFuture(EtcdError.TOO_MANY_REQUESTS.exception());
        }
        long id = ids.next();
        InternalRaftRequest request = envelope.setHeader(RequestHeader.newBuilder().setID(id)).build();
        if (request.getSerializedSize() > limits.maxRequestBytes()) {
            return CompletableFuture.failedFuture(EtcdError.REQUEST_TOO_LARGE.exception());
        }
        CompletableFuture<Message> f = wait.register(id);
        try {
            proposer.propose(request);
        } catch (EtcdException e) {
            wait.fail(id, e);
        }
        if (!applyLoop.running() || walFailure != null) {
            wait.fail(id, EtcdError.STOPPED.exception()); // the loop or the log ended between our check and propose
        }
        return (CompletableFuture<T>) (CompletableFuture<?>) f;
    }

    private void checkQuota(long cost) {
        if (cost > 0 && store.backendSize() + cost >= limits.quotaBackendBytes()) {
            throw EtcdError.NO_SPACE.exception();
        }
    }

    /** etcd's quota cost of a txn: the larger of its branches' put costs (nested txns not counted). */
    private static long txnCost(TxnRequest t) {
        long success = 0;
        for (RequestOp op : t.getSuccessList()) {
            if (op.hasRequestPut()) {
                success += KV_OVERHEAD + op.getRequestPut().getKey().size() + op.getRequestPut().getValue().size();
            }
        }
        long failure = 0;
        for (RequestOp op : t.getFailureList()) {
            if (op.hasRequestPut()) {
                failure += KV_OVERHEAD + op.getRequestPut().getKey().size() + op.getRequestPut().getValue().size();
            }
        }
        return Math.max(success, failure);
    }

    // ------------------------------------------------------------------ watch

    @Override
    public WatchStream openWatchStream(boolean requireLeader) {
        return watchable.openStream(requireLeader);
    }

    /** The watch stage (tests and metrics). */
    public WatchableStore watchable() {
        return watchable;
    }

    // ------------------------------------------------------------------ leases

    /** The single member is the leader: promote the lessor and start the expiry checks. */
    @Override
    public void startServing() {
        if (lessor != null && !closed) {
            lessor.promote(0);
        }
    }

    private void startLessor() {
        lessor.promote(0);
        LeaseExpiry expiry = new LeaseExpiry(lessor, new LeaseExpiry.Proposals() {
            @Override
            public CompletableFuture<?> revoke(long leaseId) {
                return leaseRevoke(LeaseRevokeRequest.newBuilder().setID(leaseId).build());
            }

            @Override
            public CompletableFuture<?> checkpoint(LeaseCheckpointRequest request) {
                return proposeIfOpen(InternalRaftRequest.newBuilder().setLeaseCheckpoint(request));
            }
        });
        lessorTicks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "etcetera-lessor");
            t.setDaemon(true);
            return t;
        });
        long every = lessor.options().checkIntervalNanos();
        lessorTicks.scheduleWithFixedDelay(() -> {
            try {
                if (!closed) {
                    expiry.check();
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "lease expiry check failed", e);
            }
        }, every, every, TimeUnit.NANOSECONDS);
    }

    /** The lessor, or null (tests). */
    public Lessor lessor() {
        return lessor;
    }

    private <T extends Message> CompletableFuture<T> proposeIfOpen(InternalRaftRequest.Builder envelope) {
        try {
            checkOpen();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        return propose(envelope);
    }

    private ResponseHeader currentHeader() {
        return header.toBuilder().setRevision(store.revision()).build();
    }

    @Override
    public CompletableFuture<LeaseGrantResponse> leaseGrant(LeaseGrantRequest request) {
        if (lessor == null) {
            return EtcdServer.super.leaseGrant(request);
        }
        try {
            checkOpen();
            lessor.grantedTtl(request.getTTL()); // LEASE_TTL_TOO_LARGE before proposing, as etcd's server
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        LeaseGrantRequest r = request;
        if (r.getID() == 0) {
            // etcd: the request ID generator, masked to a non-negative int64, until it is not 0 (no lease)
            long id;
            do {
                id = ids.next() & Long.MAX_VALUE;
            } while (id == 0);
            r = r.toBuilder().setID(id).build();
        }
        return propose(InternalRaftRequest.newBuilder().setLeaseGrant(r));
    }

    @Override
    public CompletableFuture<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest request) {
        if (lessor == null) {
            return EtcdServer.super.leaseRevoke(request);
        }
        return proposeIfOpen(InternalRaftRequest.newBuilder().setLeaseRevoke(request));
    }

    @Override
    public CompletableFuture<LeaseKeepAliveResponse> leaseRenew(LeaseKeepAliveRequest request) {
        if (lessor == null) {
            return EtcdServer.super.leaseRenew(request);
        }
        // etcd fills the header before renewing: its revision is not after the keepalive happened
        ResponseHeader before = currentHeader();
        long ttl;
        try {
            checkOpen();
            Lessor.Renewal renewal = lessor.renew(request.getID());
            if (renewal.pendingRevoke() != null) {
                return answerAfterRevoke(request.getID(), renewal.pendingRevoke(), before);
            }
            ttl = renewal.ttl();
            if (renewal.clearCheckpoint()) {
                proposeIfOpen(InternalRaftRequest.newBuilder().setLeaseCheckpoint(LeaseCheckpointRequest.newBuilder()
                        .addCheckpoints(LeaseCheckpoint.newBuilder().setID(request.getID()).setRemainingTTL(0))));
            }
        } catch (EtcdException e) {
            if (e.error() != EtcdError.LEASE_NOT_FOUND) {
                return CompletableFuture.failedFuture(e);
            }
            ttl = 0; // etcd's keepalive answers an unknown lease with TTL 0
        }
        return CompletableFuture.completedFuture(LeaseKeepAliveResponse.newBuilder()
                .setHeader(before).setID(request.getID()).setTTL(ttl).build());
    }

    /**
     * A keepalive of a lease that expired but is not revoked yet: as etcd's Renew, it is answered
     * (TTL 0, "not found") only once the revoke is applied and published, so a client told its lease
     * is gone no longer sees the lease's keys. Fails with NOT_LEADER if the lessor is demoted first,
     * STOPPED if the member closes.
     */
    private CompletableFuture<LeaseKeepAliveResponse> answerAfterRevoke(long id, CompletableFuture<Void> revoked,
                                                                       ResponseHeader header) {
        return revoked
                .thenCompose(v -> readIndex.readIndex())
                .thenCompose(appliedWait::await)
                .handle((v, failure) -> {
                    if (failure != null) {
                        throw new CompletionException(closed ? EtcdError.STOPPED.exception() : unwrap(failure));
                    }
                    return LeaseKeepAliveResponse.newBuilder().setHeader(header).setID(id).setTTL(0).build();
                });
    }

    @Override
    public CompletableFuture<LeaseTimeToLiveResponse> leaseTimeToLive(LeaseTimeToLiveRequest request) {
        if (lessor == null) {
            return EtcdServer.super.leaseTimeToLive(request);
        }
        try {
            checkOpen();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        Lessor.TimeToLive t = lessor.timeToLive(request.getID(), request.getKeys());
        LeaseTimeToLiveResponse.Builder b = LeaseTimeToLiveResponse.newBuilder()
                .setHeader(currentHeader()).setID(request.getID());
        if (t == null) {
            b.setTTL(-1);
        } else {
            b.setTTL(t.ttl()).setGrantedTTL(t.grantedTtl()).addAllKeys(t.keys());
        }
        return CompletableFuture.completedFuture(b.build());
    }

    @Override
    public CompletableFuture<LeaseLeasesResponse> leaseLeases(LeaseLeasesRequest request) {
        if (lessor == null) {
            return EtcdServer.super.leaseLeases(request);
        }
        try {
            checkOpen();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        LeaseLeasesResponse.Builder b = LeaseLeasesResponse.newBuilder().setHeader(currentHeader());
        for (long id : lessor.leases()) {
            b.addLeases(LeaseStatus.newBuilder().setID(id));
        }
        return CompletableFuture.completedFuture(b.build());
    }

    @Override
    public CompletableFuture<Long> revisionAbove(long revision) {
        long now = store.revision();
        if (now > revision) {
            return CompletableFuture.completedFuture(now);
        }
        if (closed) {
            return CompletableFuture.failedFuture(EtcdError.STOPPED.exception());
        }
        // Every published revision comes with an applied-index advance: wait for the next one, recheck.
        return appliedWait.await(appliedWait.applied() + 1).thenCompose(ignored -> revisionAbove(revision));
    }

    // ------------------------------------------------------------------ member

    @Override
    public CompletableFuture<StatusResponse> status(StatusRequest request) {
        try {
            checkOpen();
        } catch (EtcdException e) {
            return CompletableFuture.failedFuture(e);
        }
        Backend.Sizes sizes = store.backendSizes();
        StatusResponse.Builder b = StatusResponse.newBuilder()
                .setHeader(header.toBuilder().setRevision(store.revision()))
                .setVersion(info.serverVersion())
                .setDbSize(sizes.total())
                .setDbSizeInUse(sizes.inUse())
                .setLeader(info.memberId())
                .setRaftIndex(proposer.committedIndex())
                .setRaftTerm(proposer.term())
                .setRaftAppliedIndex(appliedWait.applied())
                .setIsLearner(false)
                .setStorageVersion(storageVersion)
                .setDbSizeQuota(limits.quotaBackendBytes());
        Throwable failure = applyLoop.failure();
        if (failure != null) {
            b.addErrors("apply stopped: " + failure);
        }
        if (walFailure != null) {
            b.addErrors("journal failed: " + walFailure);
        }
        return CompletableFuture.completedFuture(b.build());
    }

    @Override
    public MemberInfo info() {
        return info;
    }

    @Override
    public boolean healthy() {
        return !closed && applyLoop.running() && applyLoop.failure() == null && walFailure == null;
    }

    /** The latest published revision (for tests and metrics). */
    public long revision() {
        return store.revision();
    }

    /** The compaction revision whose removals are committed, -1 if none (for tests and metrics). */
    public long finishedCompactRevision() {
        return store.finishedCompactRevision();
    }

    /** The failure of the write-ahead log, or null (tests and health). */
    public Throwable journalFailure() {
        return walFailure;
    }

    /** Entries proposed but not yet taken by the apply thread (tests). */
    int applyBacklog() {
        return applyLoop.backlog();
    }

    private void checkOpen() {
        if (closed || applyLoop.failure() != null || walFailure != null) {
            throw EtcdError.STOPPED.exception();
        }
    }

    /**
     * Stops accepting requests, lets the apply thread finish the entries already proposed (their
     * callers get their answers), fails what still waits (physical compactions, deferred reads) with
     * STOPPED, and closes the backend. An unfinished compaction resumes at the next open.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (lessorTicks != null) {
            lessorTicks.shutdownNow();
        }
        proposer.stop();
        if (wal != null) {
            // Queued appends become durable and reach the apply loop before its stop mark.
            wal.close();
        }
        try {
            applyLoop.stopAndJoin();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(System.Logger.Level.WARNING, "interrupted while stopping the apply loop");
        }
        watchable.close(); // after the last commit: streams end with STOPPED
        if (lessor != null) {
            lessor.demote(); // keepalives waiting for a revoke end (answered STOPPED: see answerAfterRevoke)
        }
        EtcdException stopped = EtcdError.STOPPED.exception();
        wait.failAll(stopped);
        appliedWait.failAll(stopped);
        deferredReads.shutdown();
        try {
            if (!deferredReads.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "deferred reads still running after 10 s; closing the backend anyway");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
    }
}
