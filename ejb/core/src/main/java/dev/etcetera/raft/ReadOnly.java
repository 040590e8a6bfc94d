package dev.etcetera.raft;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.pb.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's queue of ReadIndex requests waiting for a heartbeat quorum (etcd's ReadOnlySafe).
 *
 * <p>Each request records the commit index at the moment it arrived. A heartbeat round carries the
 * context of the newest pending request; a quorum of acknowledgements for it confirms that we were
 * still leader after every earlier request arrived too, so the whole prefix of the queue is answered
 * at once (this is how concurrent reads share one round trip).
 */
final class ReadOnly {
    record Status(Message request, long index, Set<Long> acks) {
    }

    private final Map<ByteString, Status> pending = new HashMap<>();
    private final List<ByteString> queue = new ArrayList<>();

    /** Queues a request; a duplicate context is ignored (the first one will answer both). */
    void addRequest(long index, Message m) {
        ByteString ctx = m.getContext();
        if (pending.containsKey(ctx)) {
            return;
        }
        pending.put(ctx, new Status(m, index, new LinkedHashSet<>()));
        queue.add(ctx);
    }

    /** Records that {@code id} answered the heartbeat carrying {@code ctx}; null if unknown. */
    Set<Long> recvAck(long id, ByteString ctx) {
        Status rs = pending.get(ctx);
        if (rs == null) {
            return null;
        }
        rs.acks().add(id);
        return rs.acks();
    }

    /** Dequeues every request up to and including {@code ctx}. */
    List<Status> advance(ByteString ctx) {
        int i = queue.indexOf(ctx);
        if (i < 0) {
            return List.of();
        }
        List<Status> out = new ArrayList<>(i + 1);
        for (int j = 0; j <= i; j++) {
            out.add(pending.remove(queue.get(j)));
        }
        queue.subList(0, i + 1).clear();
        return out;
    }

    ByteString lastPendingRequestCtx() {
        return queue.isEmpty() ? ByteString.EMPTY : queue.get(queue.size() - 1);
    }

    int pendingCount() {
        return queue.size();
    }
}
