package dev.etcetera.journal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * The process {@link JournalCrashTest} kills with SIGKILL. It opens the journal, reports what it
 * recovered, then appends from several threads until killed, printing one line per acknowledged
 * call (in acknowledgement order, which is call order) so the parent knows what was durable.
 *
 * Every line ends with {@code @<segment seq>:<offset>}, the durable end when it was printed.
 * <pre>
 *   OPEN &lt;lastIndex&gt; &lt;commit&gt; &lt;snapshotIndex&gt;
 *   A &lt;firstIndex&gt; &lt;lastIndex&gt; &lt;term&gt; &lt;hardStateTerm|-1&gt; &lt;hardStateCommit|-1&gt;   (append acknowledged)
 *   H &lt;hardStateTerm&gt; &lt;hardStateCommit&gt;                                   (hard-state-only append)
 *   S &lt;index&gt; &lt;term&gt;                                                     (snapshot marker acknowledged)
 * </pre>
 * Arguments: directory, seed, first term, segment bytes, threads.
 */
public final class CrashChild {

    private final FileJournal journal;
    private final SplittableRandom rnd;
    private final PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
    private final Object lock = new Object();
    // guarded by lock
    private long last;
    private long term;
    private long commit;
    private long snapshot;

    private CrashChild(FileJournal journal, long seed, long term) throws Exception {
        this.journal = journal;
        this.rnd = new SplittableRandom(seed);
        Replay r = journal.replay(1);
        this.last = r.lastIndex();
        this.commit = r.hardState() == null ? 0 : r.hardState().commit();
        this.snapshot = r.snapshot() == null ? 0 : r.snapshot().index();
        this.term = Math.max(term, r.hardState() == null ? 0 : r.hardState().term());
        out.println("OPEN " + last + " " + commit + " " + snapshot + " " + durable());
    }

    /** {@code @seq:offset} of the durable end; on a completion callback, the end of that group. */
    private String durable() {
        long[] d = journal.durablePosition();
        return "@" + d[0] + ":" + d[1];
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        long term = Long.parseLong(args[2]);
        long segmentBytes = Long.parseLong(args[3]);
        int threads = Integer.parseInt(args[4]);
        JournalOptions options = JournalOptions.defaults(dir).withSegmentBytes(segmentBytes)
                .withMaxBatchBytes(segmentBytes).withRetainEntries(100).withMaxGroupWait(Duration.ofMillis(1));
        FileJournal journal = FileJournal.open(options, t -> {
            t.printStackTrace();
            Runtime.getRuntime().halt(3);
        });
        CrashChild child = new CrashChild(journal, seed, term);
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            SplittableRandom r;
            synchronized (child.lock) {
                r = child.rnd.split();
            }
            ts.add(Thread.ofPlatform().start(() -> child.run(r)));
        }
        for (Thread t : ts) {
            t.join();
        }
    }

    private void run(SplittableRandom r) {
        try {
            while (true) {
                CompletableFuture<Void> f;
                CompletableFuture<Void> jf; // the journal's own future (helps when joined)
                long releaseAt = -1;
                synchronized (lock) {
                    int op = r.nextInt(100);
                    if (op < 80 || last == commit) {
                        // Mostly small appends; sometimes a large one (a longer write, so that a
                        // kill is more likely to cut it short).
                        int n = r.nextInt(10) == 0 ? 50 + r.nextInt(150) : 1 + r.nextInt(5);
                        List<JournalEntry> es = new ArrayList<>();
                        for (int k = 1; k <= n; k++) {
                            es.add(Entries.entry(last + k, term, r.nextInt(600)));
                        }
                        HardState hs = r.nextInt(4) == 0 ? new HardState(term, 1, commit) : null;
                        long first = last + 1;
                        last += n;
                        String line = "A " + first + " " + last + " " + term + " "
                                + (hs == null ? "-1 -1" : hs.term() + " " + hs.commit());
                        f = (jf = journal.append(JournalBatch.of(es, hs))).thenRun(() -> out.println(line + " " + durable()));
                    } else if (op < 85) {
                        term++;
                        long at = commit + 1 + r.nextLong(last - commit);
                        last = at;
                        String line = "A " + at + " " + at + " " + term + " -1 -1";
                        f = (jf = journal.append(JournalBatch.of(List.of(Entries.entry(at, term, r.nextInt(600))))))
                                .thenRun(() -> out.println(line + " " + durable()));
                    } else if (op < 95) {
                        commit = commit + r.nextLong(last - commit + 1);
                        String line = "H " + term + " " + commit;
                        f = (jf = journal.append(JournalBatch.of(new HardState(term, 1, commit))))
                                .thenRun(() -> out.println(line + " " + durable()));
                    } else {
                        if (commit <= snapshot) {
                            continue;
                        }
                        snapshot = commit;
                        releaseAt = snapshot;
                        String line = "S " + snapshot + " " + term;
                        f = (jf = journal.saveSnapshot(new SnapshotMarker(snapshot, term))).thenRun(() -> out.println(line + " " + durable()));
                    }
                }
                if (r.nextBoolean()) {
                    jf.join(); // this thread may write and sync (and so run the callbacks) itself
                }
                f.join();
                if (releaseAt > 0) {
                    journal.release(releaseAt);
                }
            }
        } catch (Throwable t) {
            t.printStackTrace();
            Runtime.getRuntime().halt(2);
        }
    }
}
