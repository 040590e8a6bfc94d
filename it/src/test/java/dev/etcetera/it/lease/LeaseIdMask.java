package dev.etcetera.it.lease;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what differs between two servers in etcdctl's lease, lock and election output so one side's transcript
 * can be compared with the other's: cluster/member ids and raft term, server-chosen lease IDs (replaced by
 * {@code L1, L2...} in order of first appearance, hex or decimal alike, so the same lease keeps its name within
 * one transcript) and remaining TTLs (timing). Revisions, keys, values, exit codes and messages are kept.
 * The keys a lease's TimeToLive lists are sorted: etcd's lessor holds them in a Go map, so etcd itself answers
 * them in random order from one call to the next. clientv3's JSON log lines (retry warnings with timestamps)
 * are dropped. One mask per transcript; not thread-safe.
 */
final class LeaseIdMask {
    /** Lease IDs in hex: 16 digits zero-padded (etcdctl's lease output) or unpadded (lock/election keys). */
    private static final Pattern HEX_ID = Pattern.compile("\\b[0-9a-f]{12,16}\\b");
    private static final Pattern JSON_ID = Pattern.compile("\"(ID|id|lease)\":(\\d+)");
    /** etcdctl's simple form {@code attached keys([k1 k2])} and JSON form {@code "keys":["azE=","azI="]}. */
    private static final Pattern SIMPLE_KEYS = Pattern.compile("attached keys\\(\\[([^\\]]*)\\]\\)");
    private static final Pattern JSON_KEYS = Pattern.compile("\"keys\":\\[([^\\]]*)\\]");

    private final Map<Long, String> ids = new HashMap<>();

    String placeholder(long id) {
        return ids.computeIfAbsent(id, h -> "L" + (ids.size() + 1));
    }

    String apply(String text) {
        StringBuilder kept = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("{\"level\":")) {
                kept.append(line).append('\n');
            }
        }
        String s = kept.toString().strip()
                .replaceAll("\"cluster_id\":\\d+", "\"cluster_id\":C")
                .replaceAll("\"member_id\":\\d+", "\"member_id\":M")
                .replaceAll("\"raft_term\":\\d+", "\"raft_term\":T");
        Matcher j = JSON_ID.matcher(s);
        StringBuilder out = new StringBuilder();
        while (j.find()) {
            j.appendReplacement(out, "\"" + j.group(1) + "\":" + placeholder(Long.parseUnsignedLong(j.group(2))));
        }
        j.appendTail(out);
        Matcher h = HEX_ID.matcher(out.toString());
        StringBuilder out2 = new StringBuilder();
        while (h.find()) {
            h.appendReplacement(out2, placeholder(Long.parseUnsignedLong(h.group(), 16)));
        }
        h.appendTail(out2);
        return sortList(JSON_KEYS, ",", sortList(SIMPLE_KEYS, " ", out2.toString()))
                .replaceAll("remaining\\(\\d+s\\)", "remaining(Ns)")
                .replaceAll("\"ttl\":\\d+", "\"ttl\":N");
    }

    /** Sorts the {@code separator}-separated items of group 1 of each match of {@code list} in {@code s}. */
    private static String sortList(Pattern list, String separator, String s) {
        Matcher m = list.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String items = String.join(separator, Arrays.stream(m.group(1).split(Pattern.quote(separator))).sorted().toList());
            String before = s.substring(m.start(), m.start(1));
            String after = s.substring(m.end(1), m.end());
            m.appendReplacement(out, Matcher.quoteReplacement(before + items + after));
        }
        m.appendTail(out);
        return out.toString();
    }
}
