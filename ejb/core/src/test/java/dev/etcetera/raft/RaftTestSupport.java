package dev.etcetera.raft;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builders for the init / step / check shape of the paper tests: raw {@link Raft} instances and a tiny network. */
final class RaftTestSupport {
    private RaftTestSupport() {
    }

    static ConfState voters(long... ids) {
        ConfState.Builder b = ConfState.newBuilder();
        for (long id : ids) b.addVoters(id);
        return b.build();
    }

    static long[] ids(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) r[i] = i + 1;
        return r;
    }

    static Entry entry(long term, long index) {
        return Entry.newBuilder().setTerm(term).setIndex(index).build();
    }

    static Entry entry(long term, long index, String data) {
        return Entry.newBuilder().setTerm(term).setIndex(index).setData(ByteString.copyFromUtf8(data)).build();
    }

    /** A storage holding {@code log} (indexes from 1) and the hard state {@code term}. */
    static MemoryStorage storage(ConfState cs, long term, List<Entry> log) {
        MemoryStorage s = MemoryStorage.withConfState(cs);
        s.append(log);
        s.setHardState(HardState.newBuilder().setTerm(term).build());
        return s;
    }

    /** Log whose entry i (1-based) has term terms[i-1]. */
    static List<Entry> logOfTerms(long... terms) {
        List<Entry> l = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) l.add(entry(terms[i], i + 1));
        return l;
    }

    static Raft raft(long id, ConfState cs, int election, int heartbeat, MemoryStorage s) {
        RaftConfig c = RaftConfig.defaults(id, s).withFlags(false, false).withTicks(election, heartbeat);
        return new Raft(c);
    }

    static Raft raft(long id, int n) {
        return raft(id, voters(ids(n)), 10, 1, MemoryStorage.withConfState(voters(ids(n))));
    }

    /** Takes and clears the outgoing messages. */
    static List<Message> read(Raft r) {
        List<Message> out = new ArrayList<>(r.msgs);
        r.msgs.clear();
        r.msgsImmediate.clear();
        return out;
    }

    /** What the caller does with a Ready, minus sending: persist unstable entries and tell Raft. */
    static void persist(Raft r) {
        MemoryStorage s = (MemoryStorage) r.raftLog.storage;
        List<Entry> es = r.raftLog.unstableEntries();
        if (!es.isEmpty()) {
            s.append(es);
            Entry last = es.get(es.size() - 1);
            r.raftLog.stableTo(last.getIndex(), last.getTerm());
            r.onPersisted(last.getIndex(), last.getTerm());
        }
        s.setHardState(r.hardState());
    }

    static Message msg(MessageType t, long from, long to, long term) {
        return Message.newBuilder().setType(t).setFrom(from).setTo(to).setTerm(term).build();
    }

    static Message propose(long to, String data) {
        return Message.newBuilder().setType(MessageType.MSG_PROP).setFrom(to).setTo(to)
                .addEntries(Entry.newBuilder().setData(ByteString.copyFromUtf8(data))).build();
    }

    /** A fully connected, synchronous network of Raft instances; messages are delivered until none remain. */
    static final class Network {
        final Map<Long, Raft> peers = new HashMap<>();
        final Set<Long> isolated = new HashSet<>();
        final Set<MessageType> ignored = new HashSet<>();

        Network(Raft... rafts) {
            for (Raft r : rafts) peers.put(r.id, r);
        }

        void send(Message... ms) {
            List<Message> queue = new ArrayList<>(List.of(ms));
            while (!queue.isEmpty()) {
                Message m = queue.remove(0);
                Raft to = peers.get(m.getTo());
                if (to == null || isolated.contains(m.getTo()) || isolated.contains(m.getFrom()) || ignored.contains(m.getType())) {
                    continue;
                }
                to.step(m);
                for (Raft r : peers.values()) {
                    persist(r);
                    queue.addAll(read(r));
                }
            }
        }

        void campaign(long id) {
            send(msg(MessageType.MSG_HUP, id, id, 0));
        }
    }
}
