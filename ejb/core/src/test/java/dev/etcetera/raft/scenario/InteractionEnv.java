package dev.etcetera.raft.scenario;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.etcetera.raft.Describe;
import dev.etcetera.raft.MemoryStorage;
import dev.etcetera.raft.ProposeResult;
import dev.etcetera.raft.RaftConfig;
import dev.etcetera.raft.RaftLogger;
import dev.etcetera.raft.RawNode;
import dev.etcetera.raft.ReadState;
import dev.etcetera.raft.Ready;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfChangeType;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import dev.etcetera.raft.pb.Snapshot;
import dev.etcetera.raft.pb.SnapshotMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The interpreter of the scenario language: a handful of nodes wired by an explicit message queue
 * that moves only when a command says so. Everything (log lines, Readies, deliveries) is written to
 * one text buffer that the golden file pins down.
 */
final class InteractionEnv {
    private final StringBuilder out = new StringBuilder();
    private RaftLogger.Level level = RaftLogger.Level.INFO;
    private boolean logOff;
    private final Map<Long, Node> nodes = new TreeMap<>();
    private final List<Message> queue = new ArrayList<>();
    private final Map<Long, Integer> partitionOf = new HashMap<>();

    private final class Node {
        final long id;
        final MemoryStorage storage;
        RaftConfig config;
        RawNode rn;
        final List<String> applied = new ArrayList<>();

        Node(long id, MemoryStorage storage, RaftConfig config) {
            this.id = id;
            this.storage = storage;
            this.config = config;
            this.rn = new RawNode(config);
        }
    }

    private final RaftLogger logger = new RaftLogger() {
        @Override
        public boolean enabled(Level l) {
            return !logOff && l.ordinal() >= level.ordinal();
        }

        @Override
        public void log(Level l, String message) {
            out.append(l.name()).append(' ').append(message).append('\n');
        }
    };

    /** Runs one command; returns its output (never containing a blank line). */
    String run(String line) {
        out.setLength(0);
        String[] f = line.trim().split("\\s+");
        Map<String, String> kv = new HashMap<>();
        List<String> pos = new ArrayList<>();
        for (int i = 1; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq > 0) kv.put(f[i].substring(0, eq), f[i].substring(eq + 1)); else pos.add(f[i]);
        }
        try {
            switch (f[0]) {
                case "add-nodes" -> addNodes(Integer.parseInt(pos.get(0)), kv);
                case "campaign" -> node(pos.get(0)).rn.campaign();
                case "propose" -> print("propose: " + node(pos.get(0)).rn.propose(ByteString.copyFromUtf8(pos.get(1))));
                case "propose-batch" -> {
                    List<ByteString> data = new ArrayList<>();
                    for (String s : pos.subList(1, pos.size())) data.add(ByteString.copyFromUtf8(s));
                    print("propose: " + node(pos.get(0)).rn.proposeBatch(data));
                }
                case "propose-conf-change" -> print("propose-conf-change: " + node(pos.get(0)).rn.proposeConfChange(confChange(pos.get(1))));
                case "read-index" -> print("read-index: " + node(pos.get(0)).rn.readIndex(ByteString.copyFromUtf8(pos.get(1))));
                case "transfer-leadership" -> node(kv.get("from")).rn.transferLeader(Long.parseLong(kv.get("to")));
                case "tick" -> {
                    int n = pos.size() > 1 ? Integer.parseInt(pos.get(1)) : 1;
                    for (int i = 0; i < n; i++) node(pos.get(0)).rn.tick();
                }
                case "tick-heartbeat" -> {
                    Node n = node(pos.get(0));
                    for (int i = 0; i < n.rn.heartbeatTimeout(); i++) n.rn.tick();
                }
                case "tick-election" -> {
                    Node n = node(pos.get(0));
                    int t = n.rn.randomizedElectionTimeout();
                    for (int i = 0; i < t; i++) n.rn.tick();
                }
                case "process-ready" -> {
                    for (String id : pos) processReady(node(id));
                }
                case "deliver-msgs" -> {
                    boolean drop = "true".equals(kv.get("drop"));
                    for (String id : pos) deliver(Long.parseLong(id), drop);
                }
                case "stabilize" -> stabilize(pos);
                case "partition" -> partition(line.substring(line.indexOf(' ') + 1));
                case "heal" -> partitionOf.clear();
                case "log-level" -> {
                    if (pos.get(0).equals("none")) {
                        logOff = true;
                    } else {
                        logOff = false;
                        level = RaftLogger.Level.valueOf(pos.get(0).toUpperCase());
                    }
                }
                case "status" -> status(node(pos.get(0)));
                case "raft-log" -> raftLog(node(pos.get(0)));
                case "raft-state" -> raftState();
                case "applied" -> print(pos.get(0) + " applied: " + node(pos.get(0)).applied);
                case "compact" -> compact(node(pos.get(0)), Long.parseLong(pos.get(1)));
                case "restart" -> restart(node(pos.get(0)));
                case "report-unreachable" -> node(pos.get(0)).rn.reportUnreachable(Long.parseLong(pos.get(1)));
                case "set-randomized-election-timeout" -> node(pos.get(0)).rn.setRandomizedElectionTimeout(Integer.parseInt(kv.get("timeout")));
                default -> throw new IllegalArgumentException("unknown command " + f[0]);
            }
        } catch (RuntimeException e) {
            print("error: " + e.getMessage());
        }
        String s = out.toString().replaceAll("\n+$", "");
        return s.isEmpty() ? "ok" : s;
    }

    private void print(String s) {
        out.append(s).append('\n');
    }

    /** Ready dumps and deliveries: silenced by {@code log-level none} (used for uninteresting setup). */
    private void trace(String s) {
        if (!logOff) out.append(s).append('\n');
    }

    private Node node(String id) {
        Node n = nodes.get(Long.parseLong(id));
        if (n == null) throw new IllegalArgumentException("no node " + id);
        return n;
    }

    private static List<Long> ids(String s) {
        List<Long> r = new ArrayList<>();
        if (s == null) return r;
        for (String p : s.replace("(", "").replace(")", "").split(",")) {
            if (!p.isBlank()) r.add(Long.parseLong(p.trim()));
        }
        return r;
    }

    private void addNodes(int n, Map<String, String> kv) {
        List<Long> voters = ids(kv.get("voters"));
        List<Long> learners = ids(kv.get("learners"));
        long index = Long.parseLong(kv.getOrDefault("index", "0"));
        long first = nodes.size() + 1;
        if (voters.isEmpty() && learners.isEmpty()) {
            for (long i = first; i < first + n; i++) voters.add(i);
        }
        ConfState cs = ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
        for (long id = first; id < first + n; id++) {
            MemoryStorage st = new MemoryStorage();
            if (index > 0) {
                // start from a snapshot at `index`, as a node joining an existing group would
                st.applySnapshot(Snapshot.newBuilder().setMetadata(
                        SnapshotMetadata.newBuilder().setIndex(index).setTerm(1).setConfState(cs)).build());
            } else {
                st = MemoryStorage.withConfState(cs);
            }
            RaftConfig c = RaftConfig.defaults(id, st)
                    .withFlags(Boolean.parseBoolean(kv.getOrDefault("checkquorum", "false")),
                            Boolean.parseBoolean(kv.getOrDefault("prevote", "false")))
                    .withLimits(Long.parseLong(kv.getOrDefault("max-size-per-msg", "1048576")),
                            Integer.parseInt(kv.getOrDefault("max-inflight", "256")), 0)
                    .withLogger(logger);
            nodes.put(id, new Node(id, st, c));
        }
    }

    private static ConfChange confChange(String tok) {
        ConfChangeType t = switch (tok.charAt(0)) {
            case 'v' -> ConfChangeType.CONF_CHANGE_ADD_NODE;
            case 'l' -> ConfChangeType.CONF_CHANGE_ADD_LEARNER_NODE;
            case 'r' -> ConfChangeType.CONF_CHANGE_REMOVE_NODE;
            default -> throw new IllegalArgumentException("conf change token must be vN, lN or rN: " + tok);
        };
        return ConfChange.newBuilder().setType(t).setNodeId(Long.parseLong(tok.substring(1))).build();
    }

    private void processReady(Node n) {
        if (!n.rn.hasReady()) {
            return;
        }
        Ready rd = n.rn.ready();
        trace("> " + n.id + " handling Ready");
        StringBuilder sb = new StringBuilder();
        sb.append("  Ready MustSync=").append(rd.mustSync()).append(":\n");
        if (rd.softState() != null) {
            sb.append("  Lead:").append(rd.softState().lead()).append(" State:").append(rd.softState().state().etcdName()).append('\n');
        }
        if (rd.hardState() != null) sb.append("  ").append(Describe.hardState(rd.hardState())).append('\n');
        if (!rd.entries().isEmpty()) {
            sb.append("  Entries:\n");
            for (Entry e : rd.entries()) sb.append("  ").append(Describe.entry(e)).append('\n');
        }
        if (rd.snapshot() != null) sb.append("  Snapshot ").append(Describe.snapshot(rd.snapshot())).append('\n');
        if (!rd.committedEntries().isEmpty()) {
            sb.append("  CommittedEntries:\n");
            for (Entry e : rd.committedEntries()) sb.append("  ").append(Describe.entry(e)).append('\n');
        }
        if (!rd.messages().isEmpty()) {
            sb.append("  Messages:\n");
            for (Message m : rd.messages()) sb.append("  ").append(Describe.message(m)).append('\n');
        }
        if (!rd.persistedMessages().isEmpty()) {
            sb.append("  PersistedMessages:\n");
            for (Message m : rd.persistedMessages()) sb.append("  ").append(Describe.message(m)).append('\n');
        }
        if (!rd.readStates().isEmpty()) {
            sb.append("  ReadStates:\n");
            for (ReadState rs : rd.readStates()) sb.append("  index=").append(rs.index()).append(" ctx=").append(rs.context().toStringUtf8()).append('\n');
        }
        if (!logOff) out.append(sb);
        // the order of the Ready contract: immediate messages, persist, persisted messages, apply
        queue.addAll(rd.messages());
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
            n.applied.clear();
            n.applied.add("snap@" + rd.snapshot().getMetadata().getIndex());
        }
        n.storage.append(rd.entries());
        if (rd.hardState() != null) n.storage.setHardState(rd.hardState());
        queue.addAll(rd.persistedMessages());
        for (Entry e : rd.committedEntries()) {
            if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
                try {
                    n.rn.applyConfChange(ConfChange.parseFrom(e.getData()));
                } catch (InvalidProtocolBufferException ex) {
                    throw new IllegalStateException(ex);
                }
            } else if (!e.getData().isEmpty()) {
                n.applied.add(e.getData().toStringUtf8());
            }
        }
        n.rn.advance(rd);
    }

    private boolean deliver(long to, boolean drop) {
        boolean any = false;
        for (Iterator<Message> it = queue.iterator(); it.hasNext(); ) {
            Message m = it.next();
            if (m.getTo() != to) continue;
            it.remove();
            any = true;
            Node dest = nodes.get(to);
            Node src = nodes.get(m.getFrom());
            boolean cut = partitionOf.containsKey(m.getFrom()) && partitionOf.containsKey(to)
                    && !partitionOf.get(m.getFrom()).equals(partitionOf.get(to));
            if (drop || cut || dest == null) {
                trace("dropped: " + Describe.message(m));
                if (m.getType() == MessageType.MSG_SNAP && src != null) src.rn.reportSnapshot(to, true);
                continue;
            }
            trace(Describe.message(m));
            dest.rn.step(m);
            if (m.getType() == MessageType.MSG_SNAP && src != null) src.rn.reportSnapshot(to, false);
        }
        return any;
    }

    private void stabilize(List<String> only) {
        List<Long> ids = new ArrayList<>();
        if (only.isEmpty()) ids.addAll(nodes.keySet()); else for (String s : only) ids.add(Long.parseLong(s));
        for (int round = 0; round < 1000; round++) {
            boolean progress = false;
            for (long id : ids) {
                Node n = nodes.get(id);
                if (n.rn.hasReady()) {
                    processReady(n);
                    progress = true;
                }
            }
            for (long id : ids) {
                if (queue.stream().anyMatch(m -> m.getTo() == id)) {
                    deliver(id, false);
                    progress = true;
                }
            }
            if (!progress) return;
        }
        throw new IllegalStateException("stabilize did not converge");
    }

    private void partition(String spec) {
        partitionOf.clear();
        String[] groups = spec.split("\\|");
        for (int g = 0; g < groups.length; g++) {
            for (String id : groups[g].trim().split("\\s+")) {
                if (!id.isEmpty()) partitionOf.put(Long.parseLong(id), g);
            }
        }
        print("partition: " + spec.trim());
    }

    private void status(Node n) {
        RawNode.Status s = n.rn.status();
        print(n.id + ": " + s.softState().state().etcdName() + " term=" + s.hardState().getTerm() + " lead="
                + s.softState().lead() + " commit=" + s.hardState().getCommit() + " applied=" + s.applied() + " "
                + Describe.confState(s.confState()));
        for (var e : s.progress().entrySet()) print("  " + e.getKey() + ": " + e.getValue());
    }

    private void raftLog(Node n) {
        List<Entry> es = n.rn.logEntries();
        if (es.isEmpty()) {
            print("log is empty: first index=" + n.rn.status().firstIndex() + ", last index=" + n.rn.status().lastIndex());
        }
        for (Entry e : es) print(Describe.entry(e));
    }

    private void raftState() {
        for (Node n : nodes.values()) {
            RawNode.Status s = n.rn.status();
            String role = s.confState().getLearnersList().contains(n.id) ? " (Learner)" : s.confState().getVotersList().contains(n.id) ? " (Voter)" : " (Removed)";
            print(n.id + ": " + s.softState().state().etcdName() + role + " Term:" + s.hardState().getTerm() + " Lead:" + s.softState().lead());
        }
    }

    private void compact(Node n, long index) {
        ConfState cs = n.rn.status().confState();
        n.storage.createSnapshot(index, cs, ByteString.copyFromUtf8("snap@" + index));
        n.storage.compact(index);
        raftLog(n);
    }

    /** Crash and restart: a new RawNode over the same (durable) storage; volatile state is lost. */
    private void restart(Node n) {
        queue.removeIf(m -> m.getTo() == n.id);
        n.applied.clear();
        n.rn = new RawNode(n.config);
        trace(n.id + " restarted");
    }
}
