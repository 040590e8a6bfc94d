package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM that writes through the journal with SIGKILL at random moments, many times
 * over the same directory, and checks after each kill that every acknowledged call is present, in
 * order, with nothing after a gap.
 *
 * <p>{@code -Djournal.crash.iterations=N} (default 50) and {@code -Djournal.crash.seed=S} (printed)
 * reproduce a run.
 */
class JournalCrashTest {

    private static final String EOF = "\u0000EOF";
    private static final long SEGMENT = 256 * 1024;

    @TempDir
    Path tmp;

    /** What the parent knows was acknowledged: index -> term of the live log, latest state and marker. */
    private final TreeMap<Long, Long> model = new TreeMap<>();
    private long ackedCommit;
    private long ackedHardStateTerm;
    private long ackedSnapshot;
    private final List<String> repairs = new ArrayList<>();
    /** Durable end ({seq, offset}) reported with the last line the child printed. */
    private long[] lastDurable;
    private int powerLosses;

    @Test
    void everyAcknowledgedAppendSurvivesKillMinus9() throws Exception {
        int iterations = Integer.getInteger("journal.crash.iterations", 50);
        long seed = Long.getLong("journal.crash.seed", System.nanoTime());
        System.out.println("JournalCrashTest seed=" + seed + " iterations=" + iterations
                + " (rerun with -Djournal.crash.seed=" + seed + ")");
        SplittableRandom rnd = new SplittableRandom(seed);
        Path dir = tmp.resolve("wal");
        long totalAcks = 0;
        long term = 1;
        long startNanos = System.nanoTime();
        for (int it = 0; it < iterations; it++) {
            long childSeed = rnd.nextLong();
            boolean killAfterOpen = rnd.nextInt(10) == 0;
            int killAfterAcks = killAfterOpen ? 0 : 1 + rnd.nextInt(600);
            String where = "iteration " + it + " (seed " + seed + ", child seed " + childSeed + ", kill after "
                    + (killAfterOpen ? "OPEN" : killAfterAcks + " acks") + ")";
            term = Math.max(term, model.isEmpty() ? 0 : model.lastEntry().getValue()) + 1;
            term = Math.max(term, ackedHardStateTerm + 1);
            totalAcks += runAndKill(dir, childSeed, term, killAfterAcks, where);
            if (rnd.nextBoolean()) {
                losePageCache(dir, rnd, where);
            }
            verify(dir, where);
        }
        System.out.printf("JournalCrashTest: %d kills, %d simulated power losses, %d acknowledged calls checked,"
                + " %d recovery repairs, %.1f s%n", iterations, powerLosses, totalAcks, repairs.size(),
                (System.nanoTime() - startNanos) / 1e9);
        repairs.forEach(x -> System.out.println("  repair in " + x));
        assertTrue(totalAcks > iterations, "the children acknowledged work before being killed: " + totalAcks);
    }

    private long runAndKill(Path dir, long childSeed, long term, int killAfterAcks, String where) throws Exception {
        Path stderr = tmp.resolve("child-stderr.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), dir.toString(), Long.toString(childSeed), Long.toString(term),
                Long.toString(SEGMENT), "4")
                .redirectError(stderr.toFile())
                .start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the stream ends when the child dies
            } finally {
                lines.add(EOF);
            }
        });
        List<String> seen = new ArrayList<>();
        try {
            int acks = -1;
            while (acks < killAfterAcks) {
                String l = lines.poll(60, TimeUnit.SECONDS);
                if (l == null) {
                    fail(where + ": waited 60 s for the child's line #" + seen.size() + "; stderr: " + read(stderr));
                }
                if (l.equals(EOF)) {
                    fail(where + ": child exited by itself (" + p.waitFor() + "); stderr: " + read(stderr));
                }
                seen.add(l);
                acks++;
            }
        } finally {
            p.destroyForcibly(); // SIGKILL on Linux
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                fail(where + ": child " + p.pid() + " still alive 30 s after SIGKILL");
            }
        }
        assertEquals(137, p.exitValue(), where + ": child died of SIGKILL");
        // Lines the child wrote before it died are still in the pipe: they were acknowledged too.
        reader.join(TimeUnit.SECONDS.toMillis(30));
        for (String l; (l = lines.poll()) != null; ) {
            if (!l.equals(EOF)) {
                seen.add(l);
            }
        }
        applyAcknowledged(seen, where);
        return seen.size() - 1;
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private void applyAcknowledged(List<String> seen, String where) {
        for (String l : seen) {
            String[] w = l.split(" ");
            String[] d = w[w.length - 1].substring(1).split(":");
            lastDurable = new long[] {Long.parseLong(d[0]), Long.parseLong(d[1])};
            switch (w[0]) {
                case "OPEN" -> assertTrue(Long.parseLong(w[1]) >= (model.isEmpty() ? 0 : model.lastKey()),
                        where + ": child recovered to " + l + " but the parent verified up to "
                                + (model.isEmpty() ? 0 : model.lastKey()));
                case "A" -> {
                    long first = Long.parseLong(w[1]);
                    long last = Long.parseLong(w[2]);
                    long term = Long.parseLong(w[3]);
                    model.tailMap(first, true).clear();
                    for (long i = first; i <= last; i++) {
                        model.put(i, term);
                    }
                    if (!w[4].equals("-1")) {
                        ackedHardStateTerm = Long.parseLong(w[4]);
                        ackedCommit = Long.parseLong(w[5]);
                    }
                }
                case "H" -> {
                    ackedHardStateTerm = Long.parseLong(w[1]);
                    ackedCommit = Long.parseLong(w[2]);
                }
                case "S" -> ackedSnapshot = Long.parseLong(w[1]);
                default -> fail(where + ": unexpected child output: " + l);
            }
        }
    }

    /**
     * Simulates a power loss on top of the kill: writes after the last durable point the child
     * reported may not have reached the disk. Zeroes, in the last segment and after that point
     * (or after the segment's prelude, which its creation forced), either a suffix or a random
     * subset of sectors (the disk may write back pages out of order). Earlier segments were forced
     * when sealed and stay intact.
     */
    private void losePageCache(Path dir, SplittableRandom rnd, String where) throws IOException {
        if (lastDurable == null) {
            return;
        }
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".wal")).sorted().toList();
        }
        Path last = files.getLast();
        SegmentName name = SegmentName.parse(last.getFileName().toString());
        assertTrue(name.seq() >= lastDurable[0], where + ": durable segment " + lastDurable[0] + " beyond " + last);
        int start;
        java.nio.ByteBuffer image = SegmentDirectory.map(last);
        if (name.seq() == lastDurable[0]) {
            start = (int) lastDurable[1];
        } else {
            int[] prelude = {0};
            boolean[] inPrelude = {true};
            SegmentScanner.scan(last, image, image.limit(), name.seq(), name.firstIndex(), (r, off) -> {
                if (!(r instanceof StoredRecord.Header || r instanceof StoredRecord.State
                        || r instanceof StoredRecord.Snapshot)) {
                    inPrelude[0] = false;
                }
                if (inPrelude[0]) {
                    prelude[0] = off + RecordFrame.frameBytes(r);
                }
                return null;
            });
            start = prelude[0];
        }
        int end = SegmentScanner.endOfNonZero(image, start);
        if (end <= start) {
            return;
        }
        powerLosses++;
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(last,
                java.nio.file.StandardOpenOption.WRITE)) {
            int sector = SegmentScanner.SECTOR;
            if (rnd.nextBoolean()) {
                int cut = Math.max(start, (start + rnd.nextInt(end - start)) / sector * sector);
                ch.write(java.nio.ByteBuffer.allocate(end - cut), cut);
            } else {
                for (int s = start / sector * sector; s < end; s += sector) {
                    if (rnd.nextInt(3) == 0) {
                        int from = Math.max(s, start);
                        ch.write(java.nio.ByteBuffer.allocate(s + sector - from), from);
                    }
                }
            }
        }
    }

    /**
     * Opens the journal the child left and checks it against what was acknowledged; then makes
     * the recovered log the baseline (what recovery keeps is durable from now on).
     */
    private void verify(Path dir, String where) throws Exception {
        Replay r;
        try (FileJournal j = FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(SEGMENT)
                .withMaxBatchBytes(SEGMENT).withRetainEntries(100), t -> { })) {
            r = j.replay(1);
            j.recoveryRepairs().forEach(x -> repairs.add(where + ": " + x));
        }
        List<JournalEntry> es = r.entries();
        for (int i = 0; i < es.size(); i++) {
            JournalEntry e = es.get(i);
            assertTrue(Entries.intact(e), where + ": entry " + e.index() + " has damaged content");
            if (i > 0) {
                assertEquals(es.get(i - 1).index() + 1, e.index(), where + ": gap after " + es.get(i - 1).index());
                assertTrue(e.term() >= es.get(i - 1).term(), where + ": term goes back at " + e.index());
            }
        }
        long lastRecovered = r.lastIndex();
        assertEquals(es.isEmpty() ? lastRecovered : es.getLast().index(), lastRecovered, where);
        TreeMap<Long, Long> recovered = new TreeMap<>();
        es.forEach(e -> recovered.put(e.index(), e.term()));
        long from = es.isEmpty() ? lastRecovered + 1 : es.getFirst().index();
        assertTrue(r.snapshot() == null ? ackedSnapshot == 0 : r.snapshot().index() >= ackedSnapshot,
                where + ": acknowledged snapshot " + ackedSnapshot + " lost, got " + r.snapshot());
        long snap = r.snapshot() == null ? 0 : r.snapshot().index();
        for (var acked : model.tailMap(Math.max(from, snap + 1), true).entrySet()) {
            long index = acked.getKey();
            Long term = recovered.get(index);
            if (term == null) {
                fail(where + ": acknowledged entry " + index + " (term " + acked.getValue() + ") lost; recovered last "
                        + lastRecovered);
            }
            if (term != acked.getValue().longValue()) {
                // A later call that truncated here reached the disk without being acknowledged:
                // legal, and everything after it comes from that call.
                assertTrue(term > acked.getValue(), where + ": entry " + index + " has term " + term
                        + " but the acknowledged one had " + acked.getValue());
                break;
            }
        }
        if (ackedCommit > 0 || ackedHardStateTerm > 0) {
            assertTrue(r.hardState() != null && r.hardState().commit() >= ackedCommit
                            && r.hardState().term() >= ackedHardStateTerm,
                    where + ": acknowledged hard state (term " + ackedHardStateTerm + ", commit " + ackedCommit
                            + ") lost, got " + r.hardState());
        }
        model.clear();
        model.putAll(recovered);
        if (r.hardState() != null) {
            ackedCommit = r.hardState().commit();
            ackedHardStateTerm = r.hardState().term();
        }
        ackedSnapshot = snap;
    }
}
