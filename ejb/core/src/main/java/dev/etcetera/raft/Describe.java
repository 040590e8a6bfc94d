package dev.etcetera.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.etcetera.raft.pb.ConfChange;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Entry;
import dev.etcetera.raft.pb.EntryType;
import dev.etcetera.raft.pb.HardState;
import dev.etcetera.raft.pb.Message;
import dev.etcetera.raft.pb.MessageType;
import dev.etcetera.raft.pb.Snapshot;
import java.util.List;

/** One-line, stable text forms of Raft values in etcd's vocabulary, for logs and golden files. */
public final class Describe {
    private Describe() {
    }

    public static String type(MessageType t) {
        return switch (t) {
            case MSG_HUP -> "MsgHup";
            case MSG_BEAT -> "MsgBeat";
            case MSG_PROP -> "MsgProp";
            case MSG_APP -> "MsgApp";
            case MSG_APP_RESP -> "MsgAppResp";
            case MSG_VOTE -> "MsgVote";
            case MSG_VOTE_RESP -> "MsgVoteResp";
            case MSG_SNAP -> "MsgSnap";
            case MSG_HEARTBEAT -> "MsgHeartbeat";
            case MSG_HEARTBEAT_RESP -> "MsgHeartbeatResp";
            case MSG_UNREACHABLE -> "MsgUnreachable";
            case MSG_SNAP_STATUS -> "MsgSnapStatus";
            case MSG_CHECK_QUORUM -> "MsgCheckQuorum";
            case MSG_TRANSFER_LEADER -> "MsgTransferLeader";
            case MSG_TIMEOUT_NOW -> "MsgTimeoutNow";
            case MSG_READ_INDEX -> "MsgReadIndex";
            case MSG_READ_INDEX_RESP -> "MsgReadIndexResp";
            case MSG_PRE_VOTE -> "MsgPreVote";
            case MSG_PRE_VOTE_RESP -> "MsgPreVoteResp";
            case UNRECOGNIZED -> "Unrecognized";
        };
    }

    public static String message(Message m) {
        StringBuilder sb = new StringBuilder();
        sb.append(m.getFrom()).append("->").append(m.getTo()).append(' ').append(type(m.getType()))
                .append(" Term:").append(m.getTerm())
                .append(" Log:").append(m.getLogTerm()).append('/').append(m.getIndex());
        if (m.getReject()) {
            sb.append(" Rejected (Hint: ").append(m.getRejectHint()).append(')');
        }
        if (m.getCommit() != 0) {
            sb.append(" Commit:").append(m.getCommit());
        }
        if (!m.getContext().isEmpty()) {
            sb.append(" Context:").append(text(m.getContext()));
        }
        if (m.getEntriesCount() > 0) {
            sb.append(" Entries:").append(entries(m.getEntriesList()));
        }
        if (m.hasSnapshot() && m.getSnapshot().getMetadata().getIndex() != 0) {
            sb.append(" Snapshot: ").append(snapshot(m.getSnapshot()));
        }
        return sb.toString();
    }

    public static String entries(List<Entry> es) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < es.size(); i++) {
            if (i > 0) sb.append(", ");
            sb.append(entry(es.get(i)));
        }
        return sb.append(']').toString();
    }

    public static String entry(Entry e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.getTerm()).append('/').append(e.getIndex()).append(' ');
        if (e.getType() == EntryType.ENTRY_CONF_CHANGE) {
            sb.append("EntryConfChange ");
            try {
                sb.append(confChange(ConfChange.parseFrom(e.getData())));
            } catch (InvalidProtocolBufferException ex) {
                sb.append("<corrupt>");
            }
        } else {
            sb.append("EntryNormal ").append(text(e.getData()));
        }
        return sb.toString();
    }

    public static String confChange(ConfChange cc) {
        return switch (cc.getType()) {
            case CONF_CHANGE_ADD_NODE -> "v" + cc.getNodeId();
            case CONF_CHANGE_ADD_LEARNER_NODE -> "l" + cc.getNodeId();
            case CONF_CHANGE_REMOVE_NODE -> "r" + cc.getNodeId();
            case UNRECOGNIZED -> "?" + cc.getNodeId();
        };
    }

    public static String hardState(HardState hs) {
        return "HardState Term:" + hs.getTerm() + " Vote:" + hs.getVote() + " Commit:" + hs.getCommit();
    }

    public static String confState(ConfState cs) {
        StringBuilder sb = new StringBuilder("voters=(");
        for (int i = 0; i < cs.getVotersCount(); i++) {
            if (i > 0) sb.append(' ');
            sb.append(cs.getVoters(i));
        }
        sb.append(')');
        if (cs.getLearnersCount() > 0) {
            sb.append(" learners=(");
            for (int i = 0; i < cs.getLearnersCount(); i++) {
                if (i > 0) sb.append(' ');
                sb.append(cs.getLearners(i));
            }
            sb.append(')');
        }
        return sb.toString();
    }

    public static String snapshot(Snapshot s) {
        return "Index:" + s.getMetadata().getIndex() + " Term:" + s.getMetadata().getTerm()
                + " ConfState:" + confState(s.getMetadata().getConfState());
    }

    /** Printable data: UTF-8 text in quotes when printable, else hex. */
    static String text(ByteString b) {
        if (b.isEmpty()) {
            return "\"\"";
        }
        String s = b.toStringUtf8();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                StringBuilder hex = new StringBuilder("0x");
                for (byte x : b.toByteArray()) hex.append(String.format("%02x", x));
                return hex.toString();
            }
        }
        return '"' + s + '"';
    }
}
