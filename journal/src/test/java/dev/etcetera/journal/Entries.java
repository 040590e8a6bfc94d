package dev.etcetera.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic test entries: the payload is a function of (index, term), so content can be verified. */
final class Entries {

    private Entries() {
    }

    static byte[] payload(long index, long term, int length) {
        byte[] b = new byte[length];
        new SplittableRandom(index * 1_000_003L + term).nextBytes(b);
        return b;
    }

    static JournalEntry entry(long index, long term) {
        return new JournalEntry(index, term, (int) (index % 3), payload(index, term, 16 + (int) (index % 50)));
    }

    static JournalEntry entry(long index, long term, int payloadBytes) {
        return new JournalEntry(index, term, (int) (index % 3), payload(index, term, payloadBytes));
    }

    /** Entries [from, to] of one term. */
    static List<JournalEntry> range(long from, long to, long term) {
        List<JournalEntry> l = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            l.add(entry(i, term));
        }
        return l;
    }

    /** True when the entry's payload is what {@link #entry(long, long, int)} would make. */
    static boolean intact(JournalEntry e) {
        return java.util.Arrays.equals(e.payload(), payload(e.index(), e.term(), e.payload().length));
    }
}
