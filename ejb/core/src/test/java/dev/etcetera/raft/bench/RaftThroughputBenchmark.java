package dev.etcetera.raft.bench;

import com.google.protobuf.ByteString;
import dev.etcetera.raft.MemoryStorage;
import dev.etcetera.raft.ProposeResult;
import dev.etcetera.raft.RaftConfig;
import dev.etcetera.raft.RawNode;
import dev.etcetera.raft.Ready;
import dev.etcetera.raft.StateType;
import dev.etcetera.raft.pb.ConfState;
import dev.etcetera.raft.pb.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Committed proposals per second of a 3-member cluster driven in one thread, entirely in memory
 * (no fsync, no network): the cost of the Raft core itself. 128-byte entries.
 *
 * <ul>
 *   <li>{@code unbatched}: one proposal per node-loop iteration, and a MsgApp carries one entry
 *       ({@code maxSizePerMsg} = 1 byte); the next proposal waits until the previous one commits;</li>
 *   <li>{@code batched}: 64 proposals per node-loop iteration, MsgApp up to 1 MiB.</li>
 * </ul>
 * Run: {@code mvn -B -pl ejb/core -am -Praft-bench test-compile exec:exec} (see ejb/core/pom.xml).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RaftThroughputBenchmark {
    static final int BATCH = 64;
    private static final ByteString PAYLOAD = ByteString.copyFrom(new byte[128]);

    private Cluster unbatched;
    private Cluster batched;

    @Setup(Level.Trial)
    public void setup() {
        unbatched = new Cluster(1);
        batched = new Cluster(1024 * 1024);
    }

    @Benchmark
    public long unbatched() {
        return unbatched.proposeAndCommit(1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long batched() {
        return batched.proposeAndCommit(BATCH);
    }

    /** Three RawNodes over MemoryStorage, pumped synchronously until quiescent. */
    static final class Cluster {
        final RawNode[] nodes = new RawNode[3];
        final MemoryStorage[] disks = new MemoryStorage[3];
        final long[] applied = new long[3];
        final ArrayDeque<Message> wire = new ArrayDeque<>();

        Cluster(long maxSizePerMsg) {
            ConfState cs = ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build();
            for (int i = 0; i < 3; i++) {
                disks[i] = MemoryStorage.withConfState(cs);
                nodes[i] = new RawNode(RaftConfig.defaults(i + 1, disks[i]).withLimits(maxSizePerMsg, 256, 0));
            }
            nodes[0].campaign();
            pump();
            if (nodes[0].softState().state() != StateType.LEADER) {
                throw new IllegalStateException("node 1 did not become leader");
            }
        }

        long proposeAndCommit(int n) {
            RawNode leader = nodes[0];
            long target = leader.status().lastIndex() + n;
            if (n == 1) {
                check(leader.propose(PAYLOAD));
            } else {
                List<ByteString> batch = new ArrayList<>(n);
                for (int i = 0; i < n; i++) batch.add(PAYLOAD);
                check(leader.proposeBatch(batch));
            }
            while (applied[0] < target) {
                pump();
            }
            if (applied[0] - disks[0].firstIndex() > 20_000) {
                compact();
            }
            return applied[0];
        }

        private static void check(ProposeResult r) {
            if (r != ProposeResult.ACCEPTED) throw new IllegalStateException("proposal " + r);
        }

        void pump() {
            boolean moved = true;
            while (moved) {
                moved = false;
                for (int i = 0; i < 3; i++) {
                    if (nodes[i].hasReady()) {
                        Ready rd = nodes[i].ready();
                        wire.addAll(rd.messages());
                        disks[i].append(rd.entries());
                        if (rd.hardState() != null) disks[i].setHardState(rd.hardState());
                        wire.addAll(rd.persistedMessages());
                        if (!rd.committedEntries().isEmpty()) {
                            applied[i] = rd.committedEntries().get(rd.committedEntries().size() - 1).getIndex();
                        }
                        nodes[i].advance(rd);
                        moved = true;
                    }
                }
                Message m;
                while ((m = wire.poll()) != null) {
                    nodes[(int) m.getTo() - 1].step(m);
                    moved = true;
                }
            }
        }

        private void compact() {
            for (int i = 0; i < 3; i++) {
                long at = applied[i] - 100;
                disks[i].createSnapshot(at, nodes[i].status().confState(), ByteString.EMPTY);
                disks[i].compact(at);
            }
        }
    }
}
