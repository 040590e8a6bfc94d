package dev.etcetera.raft.sim;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.Describe;
import dev.etcetera.raft.MemoryStorage;
import dev.etcetera.raft.ProposeResult;
import dev.etcetera.raft.RaftConfig;
import dev.etcetera.raft.RawNode;
import dev.etcetera.raft.ReadState;
import dev.etcetera.raft.Ready;
import dev.etcetera.raft.StateType;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfChangeType;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * One seeded, single-threaded run of a whole cluster: every source of nondeterminism (network
 * delay, loss, duplication, reordering, partitions, crashes, client timing, election timeouts) is
 * drawn from one {@link SplittableRandom}, so a seed replays a run exactly.
 *
 * <p>A crash discards the {@link RawNode} and every message in its Ready that was not yet sent; the
 * member's {@link MemoryStorage} is its disk and keeps exactly what was persisted (a crash may strike
 * after the leader sent its immediate messages but before it persisted the entries). A restarted
 * member rebuilds its state machine from its snapshot and replays its committed log.
 *
 * <p>Checked while running and at the end (a violation throws {@link SimulationFailure}):
 * election safety, state machine safety (every member applies the same entry at each index, and
 * its applied state equals everyone else's at that index), log matching, leader completeness,
 * committed entries never lost or changed, ReadIndex linearizability, and liveness once healed.
 */
final class ClusterSimulation {
    /** A safety or liveness violation; its message names the seed. */
    static final class SimulationFailure extends RuntimeException {
        SimulationFailure(String message) {
            super(message);
        }
    }

    /** Knobs of one run, drawn from the seed so that different seeds explore different mixes. */
    record Params(int members, int chaosTicks, double drop, double duplicate, int maxDelay, double crash,
                  double midReadyCrash, double restart, double partition, double heal, double propose,
                  double read, boolean preVote, boolean checkQuorum, int compactEvery, boolean reconfigure) {
        static Params draw(long seed, SplittableRandom r) {
            int members = (seed & 1) == 0 ? 3 : 5;
            // half of the 5-member runs change membership while running
            boolean reconfigure = (seed & 3) == 3;
            int mode = r.nextInt(3);
            return new Params(members, 250,
                    r.nextDouble() * 0.15, r.nextDouble() * 0.05, 1 + r.nextInt(3),
                    0.002 + r.nextDouble() * 0.004, 0.2, 0.05,
                    0.005 + r.nextDouble() * 0.01, 0.02,
                    0.3, 0.2,
                    mode != 2, mode == 0, 20 + r.nextInt(40), reconfigure);
        }
    }

    private record InFlight(long at, long seq, Message m) {
    }

    private record Committed(long term, ByteString data) {
    }

    /** Where a member id is in its membership lifecycle (it only moves forward). */
    private enum Stage { NONE, LEARNER, VOTER, REMOVED }

    private record PendingRead(ByteString ctx, long requiredIndex, long startedAt) {
    }

    private final class Member {
        final long id;
        final MemoryStorage disk;
        RawNode node;
        long applied;
        long digest;
        int incarnation;
        final Map<ByteString, PendingRead> reads = new HashMap<>();
        final List<long[]> readyToServe = new ArrayList<>(); // {readIndex, requiredIndex}

        Member(long id, MemoryStorage disk) {
            this.id = id;
            this.disk = disk;
        }
    }

    private static final String FINAL = "final-";
    private static final ByteString FINAL_PREFIX = ByteString.copyFromUtf8(FINAL);
    private final long seed;
    private final SplittableRandom rnd;
    private final Params p;
    private final Member[] members;
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private long seq;
    private long now;
    private final int[] group;
    private final Stage[] stage;
    private boolean chaos = true;
    private long confChanges;
    private long finalIndex;

    // history
    private final Map<Long, Long> leaderOfTerm = new HashMap<>();
    private final Map<Long, Committed> committed = new HashMap<>();
    private final Map<Long, Long> digestAt = new HashMap<>();
    private long maxCommitted;
    private long proposals;
    private long readsServed;
    private long valueCounter;
    private long crashes;
    private final StringBuilder trace;

    ClusterSimulation(long seed, boolean traceEnabled) {
        this.seed = seed;
        this.rnd = new SplittableRandom(seed);
        this.p = Params.draw(seed, rnd);
        this.trace = traceEnabled ? new StringBuilder() : null;
        this.members = new Member[p.members()];
        this.group = new int[p.members()];
        this.stage = new Stage[p.members()];
        ConfState.Builder cs = ConfState.newBuilder();
        if (p.reconfigure()) {
            // voters 1-3, learner 4; 5 is a new machine that is not a member yet
            cs.addVoters(1).addVoters(2).addVoters(3).addLearners(4);
            stage[0] = stage[1] = stage[2] = Stage.VOTER;
            stage[3] = Stage.LEARNER;
            stage[4] = Stage.NONE;
        } else {
            for (int i = 1; i <= p.members(); i++) {
                cs.addVoters(i);
                stage[i - 1] = Stage.VOTER;
            }
        }
        for (int i = 0; i < p.members(); i++) {
            boolean isNew = stage[i] == Stage.NONE;
            members[i] = new Member(i + 1, isNew ? new MemoryStorage() : MemoryStorage.bootstrap(cs.build()));
            start(members[i]);
        }
        digestAt.put(0L, 0L);
    }

    Params params() {
        return p;
    }

    String summary() {
        return "seed=" + seed + " members=" + p.members() + " proposals=" + proposals + " committed=" + maxCommitted
                + " readsServed=" + readsServed + " crashes=" + crashes + " confChanges=" + confChanges
                + " stages=" + java.util.Arrays.toString(stage);
    }

    private void fail(String what) {
        String where = "";
        if (trace != null) {
            // the whole trace of a replayed seed goes to a file; the message keeps its tail
            java.nio.file.Path f = java.nio.file.Paths.get("target", "raft-sim-seed-" + seed + ".txt");
            try {
                java.nio.file.Files.createDirectories(f.getParent());
                java.nio.file.Files.writeString(f, trace);
                where = "\n--- full trace in " + f.toAbsolutePath() + "; last 4k chars:\n"
                        + trace.substring(Math.max(0, trace.length() - 4000));
            } catch (java.io.IOException e) {
                where = "\n(could not write trace: " + e + ")";
            }
        }
        throw new SimulationFailure("seed " + seed + " (replay with -Dsim.seed=" + seed + "), tick " + now + ": " + what + where);
    }

    private void log(String s) {
        if (trace != null) trace.append('[').append(now).append("] ").append(s).append('\n');
    }

    private void start(Member m) {
        RaftConfig c = RaftConfig.defaults(m.id, m.disk)
                .withFlags(p.checkQuorum(), p.preVote())
                .withLimits(4096, 64, 0)
                .withSeed(rnd.nextLong());
        m.node = new RawNode(c);
        m.incarnation++;
        // the state machine restarts from the snapshot; committed entries are replayed by Raft
        m.applied = m.disk.snapshot().getMetadata().getIndex();
        m.digest = m.applied == 0 ? 0 : ByteBuffer.wrap(m.disk.snapshot().getData().toByteArray()).getLong();
        m.reads.clear();
        m.readyToServe.clear();
        log(m.id + " started (incarnation " + m.incarnation + ", applied " + m.applied + ")");
    }

    private void crash(Member m) {
        log(m.id + " crashed");
        crashes++;
        m.node = null;
        m.reads.clear();
        m.readyToServe.clear();
    }

    /** Runs the chaos phase, then heals everything and checks liveness; throws on any violation. */
    void run() {
        for (now = 0; now < p.chaosTicks(); now++) {
            chaosEvents();
            clientEvents();
            tickAll();
            settle();
        }
        chaos = false;
        for (int i = 0; i < group.length; i++) group[i] = 0;
        for (Member m : members) if (m.node == null && stage[(int) m.id - 1] != Stage.REMOVED) start(m);
        log("healed");
        checkLiveness();
        checkLogs();
    }

    private void chaosEvents() {
        for (Member m : members) {
            if (m.node != null && rnd.nextDouble() < p.crash()) {
                crash(m);
            } else if (m.node == null && stage[(int) m.id - 1] != Stage.REMOVED && rnd.nextDouble() < p.restart()) {
                start(m);
            }
        }
        if (rnd.nextDouble() < p.partition()) {
            for (int i = 0; i < group.length; i++) group[i] = rnd.nextInt(2);
            log("partition " + java.util.Arrays.toString(group));
        } else if (rnd.nextDouble() < p.heal()) {
            for (int i = 0; i < group.length; i++) group[i] = 0;
        }
    }

    private void clientEvents() {
        if (rnd.nextDouble() < p.propose()) {
            Member m = members[rnd.nextInt(members.length)];
            if (m.node != null) {
                ByteString v = ByteString.copyFromUtf8("v" + (++valueCounter));
                ProposeResult r = m.node.propose(v);
                proposals++;
                log(m.id + " propose " + v.toStringUtf8() + " -> " + r);
            }
        }
        if (p.reconfigure() && rnd.nextDouble() < 0.06) {
            proposeConfChange();
        }
        if (rnd.nextDouble() < p.read()) {
            Member m = members[rnd.nextInt(members.length)];
            if (m.node != null) {
                ByteString ctx = ByteString.copyFromUtf8("r" + (++valueCounter));
                // the read must observe every entry committed anywhere before it started
                PendingRead pr = new PendingRead(ctx, maxCommitted, now);
                ProposeResult r = m.node.readIndex(ctx);
                if (r == ProposeResult.ACCEPTED || r == ProposeResult.FORWARDED) {
                    m.reads.put(ctx, pr);
                }
                observe(m);
            }
        }
        for (Member m : members) {
            if (m.node != null && m.applied - m.disk.firstIndex() > p.compactEvery()) {
                compact(m);
            }
        }
    }

    private void compact(Member m) {
        long at = m.applied;
        if (at <= m.disk.snapshot().getMetadata().getIndex() || at > m.disk.lastIndex()) {
            return;
        }
        m.disk.createSnapshot(at, m.node.status().confState(),
                ByteString.copyFrom(ByteBuffer.allocate(8).putLong(m.digest).array()));
        long keep = Math.max(m.disk.firstIndex(), at - 5);
        if (keep > m.disk.firstIndex() - 1 && keep <= at) {
            m.disk.compact(keep);
        }
        log(m.id + " snapshot at " + at + ", compacted to " + keep);
    }

    private void tickAll() {
        for (Member m : members) {
            if (m.node != null) {
                m.node.tick();
                observe(m);
            }
        }
    }

    /** Processes Readies and delivers due messages until nothing moves within this tick. */
    private void settle() {
        for (int round = 0; round < 200; round++) {
            boolean moved = false;
            int start = rnd.nextInt(members.length);
            for (int i = 0; i < members.length; i++) {
                Member m = members[(start + i) % members.length];
                if (m.node != null && m.node.hasReady()) {
                    handleReady(m);
                    moved = true;
                }
            }
            while (!network.isEmpty() && network.peek().at() <= now) {
                deliver(network.poll().m());
                moved = true;
            }
            if (!moved) {
                return;
            }
        }
    }

    private void send(Message msg) {
        if (chaos && rnd.nextDouble() < p.drop()) {
            dropped(msg);
            return;
        }
        enqueue(msg);
        if (chaos && rnd.nextDouble() < p.duplicate()) {
            enqueue(msg);
        }
    }

    private void enqueue(Message msg) {
        long delay = rnd.nextInt(p.maxDelay() + 1);
        if (chaos && rnd.nextDouble() < 0.02) {
            delay += rnd.nextInt(15); // a straggler, delivered long after its successors
        }
        network.add(new InFlight(now + delay, seq++, msg));
    }

    private void dropped(Message msg) {
        if (msg.getType() == MessageType.MSG_SNAP) {
            Member from = members[(int) msg.getFrom() - 1];
            if (from.node != null) from.node.reportSnapshot(msg.getTo(), true);
        }
    }

    private void deliver(Message msg) {
        Member to = members[(int) msg.getTo() - 1];
        Member from = members[(int) msg.getFrom() - 1];
        if (to.node == null || group[(int) msg.getTo() - 1] != group[(int) msg.getFrom() - 1]
                || stage[(int) msg.getFrom() - 1] == Stage.REMOVED) {
            dropped(msg);
            return;
        }
        if (trace != null) log("deliver " + Describe.message(msg));
        to.node.step(msg);
        observe(to);
        if (msg.getType() == MessageType.MSG_SNAP && from.node != null) {
            from.node.reportSnapshot(msg.getTo(), false);
        }
    }

    private void handleReady(Member m) {
        Ready rd = m.node.ready();
        for (Message msg : rd.messages()) send(msg);
        if (chaos && (rd.mustSync()) && rnd.nextDouble() < p.crash() * p.midReadyCrash() * 10) {
            // power loss before the fsync: immediate messages left, nothing of this Ready is durable
            crash(m);
            return;
        }
        if (rd.snapshot() != null) {
            m.disk.applySnapshot(rd.snapshot());
        }
        m.disk.append(rd.entries());
        if (rd.hardState() != null) {
            m.disk.setHardState(rd.hardState());
        }
        for (Message msg : rd.persistedMessages()) send(msg);
        if (rd.snapshot() != null) {
            long si = rd.snapshot().getMetadata().getIndex();
            long d = ByteBuffer.wrap(rd.snapshot().getData().toByteArray()).getLong();
            Long known = digestAt.get(si);
            if (known != null && known != d) fail(m.id + " installed snapshot at " + si + " with state " + d + " but state there is " + known);
            m.applied = si;
            m.digest = d;
        }
        for (Entry e : rd.committedEntries()) apply(m, e);
        for (ReadState rs : rd.readStates()) {
            PendingRead pr = m.reads.remove(rs.context());
            if (pr == null) continue; // answer to a request of an earlier incarnation
            if (rs.index() < pr.requiredIndex()) {
                fail("stale ReadIndex at " + m.id + ": read " + rs.context().toStringUtf8() + " started at tick " + pr.startedAt()
                        + " when index " + pr.requiredIndex() + " was already committed, but got read index " + rs.index());
            }
            m.readyToServe.add(new long[] {rs.index(), pr.requiredIndex()});
        }
        m.node.advance(rd);
        serveReads(m);
        observe(m);
        if (removedSelf == m) {
            removedSelf = null;
            crash(m);
        }
    }

    private void apply(Member m, Entry e) {
        if (e.getIndex() <= m.applied) {
            return; // covered by a snapshot installed in the same Ready
        }
        if (e.getIndex() != m.applied + 1) {
            fail(m.id + " applied index " + e.getIndex() + " after " + m.applied + " (gap)");
        }
        Committed c = new Committed(e.getTerm(), e.getData());
        Committed prev = committed.putIfAbsent(e.getIndex(), c);
        if (prev != null && !prev.equals(c)) {
            fail("state machine safety: " + m.id + " applied " + Describe.entry(e) + " but index " + e.getIndex()
                    + " was applied elsewhere as term " + prev.term() + " " + prev.data().toStringUtf8());
        }
        if (finalIndex == 0 && e.getData().startsWith(FINAL_PREFIX)) {
            finalIndex = e.getIndex(); // committed: it is being applied
        }
        if (e.getType() == EntryType.ENTRY_NORMAL && !e.getData().isEmpty()) {
            m.digest = m.digest * 31 + e.getData().hashCode() + e.getIndex();
        }
        m.applied = e.getIndex();
        if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
            applyConfChange(m, e);
        }
        Long known = digestAt.putIfAbsent(m.applied, m.digest);
        if (known != null && known != m.digest) {
            fail("applied sequences diverge: " + m.id + " has state " + m.digest + " at " + m.applied + ", others " + known);
        }
    }

    /** A client asks a random member for the next lifecycle step of a random id. */
    private void proposeConfChange() {
        Member at = members[rnd.nextInt(members.length)];
        if (at.node == null) return;
        int idx = rnd.nextInt(members.length);
        long voters = java.util.Arrays.stream(stage).filter(x -> x == Stage.VOTER).count();
        ConfChangeType type = switch (stage[idx]) {
            case NONE -> ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE;
            case LEARNER -> ConfChangeType.CONF_CHANGE_ADD_NODE;
            case VOTER -> voters > 3 ? ConfChangeType.CONF_CHANGE_REMOVE_NODE : null;
            case REMOVED -> null;
        };
        if (type == null) return;
        ConfChange cc = ConfChange.newBuilder().setType(type).setNodeId(idx + 1).setId(++valueCounter).build();
        ProposeResult r = at.node.proposeConfChange(cc);
        log(at.id + " propose conf change " + Describe.confChange(cc) + " -> " + r);
    }

    private void applyConfChange(Member m, Entry e) {
        ConfChange cc;
        try {
            cc = ConfChange.parseFrom(e.getData());
        } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
            fail("corrupt conf change at " + e.getIndex());
            return;
        }
        m.node.applyConfChange(cc);
        // snapshot right after a membership change, so that the snapshot a new member may be sent
        // already contains it (Raft refuses a snapshot whose configuration lacks the receiver)
        compact(m);
        int idx = (int) cc.getNodeId() - 1;
        Stage next = switch (cc.getType()) {
            case CONF_CHANGE_ADD_LEARNER_NODE -> Stage.LEARNER;
            case CONF_CHANGE_ADD_NODE -> Stage.VOTER;
            default -> Stage.REMOVED;
        };
        if (next.ordinal() > stage[idx].ordinal()) {
            stage[idx] = next;
            confChanges++;
            log("conf change " + Describe.confChange(cc) + " committed (first applied by " + m.id + ")");
            if (next == Stage.REMOVED && members[idx].node != null && members[idx] != m) {
                crash(members[idx]); // a removed member shuts itself down, as etcd's does
            }
        }
        if (next == Stage.REMOVED && m.id == cc.getNodeId()) {
            removedSelf = m; // stops after this Ready is done
        }
    }

    private Member removedSelf;

    private void serveReads(Member m) {
        for (Iterator<long[]> it = m.readyToServe.iterator(); it.hasNext(); ) {
            long[] r = it.next();
            if (m.applied >= r[0]) {
                // the read sees the state at m.applied, which includes everything committed before it began
                if (m.applied < r[1]) fail("read served at " + m.applied + " below " + r[1]);
                readsServed++;
                it.remove();
            }
        }
    }

    private void observe(Member m) {
        if (m.node == null) return;
        long c = m.node.hardState().getCommit();
        if (c > maxCommitted) maxCommitted = c;
        if (m.node.softState().state() == StateType.LEADER) {
            long term = m.node.hardState().getTerm();
            Long prev = leaderOfTerm.putIfAbsent(term, m.id);
            if (prev != null && prev != m.id) {
                fail("election safety: both " + prev + " and " + m.id + " lead term " + term);
            }
        }
    }

    /**
     * With the network healed and everyone up, a leader is elected and a proposal commits on every
     * member within a bound. Like a real client, the proposal is retried when leadership changes
     * before it commits (an uncommitted entry may legitimately be overwritten by the next leader).
     */
    private void checkLiveness() {
        long healedAt = now;
        long deadline = now + 400; // 40 election timeouts
        long proposedInTerm = -1;
        int attempts = 0;
        while (now < deadline) {
            tickAll();
            settle();
            now++;
            long leader = agreedLeader();
            if (leader != 0) {
                RawNode l = members[(int) leader - 1].node;
                long term = l.hardState().getTerm();
                if (term != proposedInTerm) {
                    ProposeResult r = l.propose(ByteString.copyFromUtf8(FINAL + seed + "-" + (++attempts)));
                    if (r == ProposeResult.ACCEPTED) proposedInTerm = term;
                    log("final proposal at leader " + leader + " term " + term + " -> " + r);
                }
            }
            // every member's state includes the final write (applied directly or through a snapshot)
            boolean all = finalIndex > 0;
            for (Member m : members) {
                if (isMember(m)) all &= m.node != null && m.applied >= finalIndex;
            }
            if (all) {
                log("a final proposal was applied everywhere " + (now - healedAt) + " ticks after healing, attempts " + attempts);
                return;
            }
        }
        fail("liveness: no proposal applied by every member within 400 ticks of healing (" + attempts
                + " attempts; agreed leader now " + agreedLeader() + ")");
    }

    private boolean isMember(Member m) {
        Stage s = stage[(int) m.id - 1];
        return s == Stage.VOTER || s == Stage.LEARNER;
    }

    /** The leader every current member follows, or 0. */
    private long agreedLeader() {
        long lead = 0;
        for (Member m : members) {
            if (!isMember(m)) continue;
            long l = m.node.softState().lead();
            if (l == 0 || (lead != 0 && l != lead)) return 0;
            lead = l;
        }
        return lead != 0 && members[(int) lead - 1].node != null
                && members[(int) lead - 1].node.softState().state() == StateType.LEADER ? lead : 0;
    }

    /** Log matching, committed entries intact, leader completeness. */
    private void checkLogs() {
        List<Map<Long, Entry>> logs = new ArrayList<>();
        for (Member m : members) {
            Map<Long, Entry> log = new HashMap<>();
            logs.add(log);
            if (m.node == null) continue; // removed and stopped
            for (Entry e : m.node.logEntries()) log.put(e.getIndex(), e);
            long commit = m.node.hardState().getCommit();
            for (Entry e : log.values()) {
                Committed c = committed.get(e.getIndex());
                if (e.getIndex() <= commit && c != null && (c.term() != e.getTerm() || !c.data().equals(e.getData()))) {
                    fail("committed entry changed: " + m.id + " has " + Describe.entry(e) + " at committed index, applied was term " + c.term());
                }
            }
        }
        for (int a = 0; a < logs.size(); a++) {
            for (int b = a + 1; b < logs.size(); b++) {
                Map<Long, Entry> la = logs.get(a);
                Map<Long, Entry> lb = logs.get(b);
                long highestSame = -1;
                for (Entry e : la.values()) {
                    Entry o = lb.get(e.getIndex());
                    if (o != null && o.getTerm() == e.getTerm() && e.getIndex() > highestSame) highestSame = e.getIndex();
                }
                for (Entry e : la.values()) {
                    if (e.getIndex() > highestSame) continue;
                    Entry o = lb.get(e.getIndex());
                    if (o != null && !o.equals(e)) {
                        fail("log matching: members " + (a + 1) + " and " + (b + 1) + " agree at " + highestSame
                                + " but differ at " + e.getIndex() + ": " + Describe.entry(e) + " vs " + Describe.entry(o));
                    }
                }
            }
        }
        long leader = agreedLeader();
        for (long until = now + 200; leader == 0 && now < until; now++) {
            // leadership may be changing hands right now (e.g. a delayed vote): let it settle
            tickAll();
            settle();
            leader = agreedLeader();
        }
        if (leader == 0) fail("liveness: leadership did not settle after the final write");
        Map<Long, Entry> ll = new HashMap<>();
        for (Entry e : members[(int) leader - 1].node.logEntries()) ll.put(e.getIndex(), e);
        for (Map.Entry<Long, Committed> c : committed.entrySet()) {
            Entry e = ll.get(c.getKey());
            if (e != null && (e.getTerm() != c.getValue().term() || !e.getData().equals(c.getValue().data()))) {
                fail("leader completeness: leader " + leader + " has " + Describe.entry(e) + " where a committed entry was");
            }
            if (e == null && c.getKey() > members[(int) leader - 1].node.status().lastIndex()) {
                fail("leader completeness: leader " + leader + " lacks committed index " + c.getKey());
            }
        }
    }
}
