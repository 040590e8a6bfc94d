package dev.etcetera.it.lease;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what differs between two servers in etcdctl's lease, lock and election output so one side's transcript
 * can be compared with the other's: cluster/member ids and raft term, server-chosen lease IDs (replaced by
 * {@code L1, L2...} in order of first appearance, hex or decimal alike, so the same lease keeps its name within
 * one transcript) and remaining TTLs (timing). Revisions, keys, values, exit codes and messages are kept.
 * clientv3's JSON log lines (retry warnings with timestamps) are dropped. One mask per transcript; not
 * thread-safe.
 */
final class LeaseIdMask {
    /** Lease IDs in hex: 16 digits zero-padded (etcdctl's lease output) or unpadded (lock/election keys). */
    private static final Pattern HEX_ID = Pattern.compile("\\b[0-9a-f]{12,16}\\b");
    private static final Pattern JSON_ID = Pattern.compile("\"(ID|id|lease)\":(\\d+)");

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
        return out2.toString()
                .replaceAll("remaining\\(\\d+s\\)", "remaining(Ns)")
                .replaceAll("\"ttl\":\\d+", "\"ttl\":N");
    }
}
