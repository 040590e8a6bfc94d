package dev.etcetera.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks what legitimately differs between two servers so their outputs can be compared: cluster/member ids,
 * raft term/index, server version strings, db size, the endpoint (port), client-side timestamps and uuids, and a
 * lease's remaining TTL next to its granted TTL (kept only as "within 0..granted"). The keys a LeaseTimeToLive
 * lists are sorted: etcd's lessor holds them in a Go map, so etcd answers them in random order from call to call.
 * Revisions, counts, keys, values, flags and error messages are never masked.
 *
 * <p>JSON documents (etcdctl {@code -w json} lines, gateway bodies) are parsed, masked by field name and
 * re-printed with sorted keys, so field order does not matter but types do ({@code "3"} vs {@code 3}).
 */
final class Normalizer {
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_INTEGER_FOR_INTS, true);

    private static final Set<String> HEADER_IDS = Set.of("cluster_id", "member_id");
    private static final Set<String> STATUS_MASKED = Set.of("dbSize", "dbSizeInUse", "raftIndex", "raftTerm",
            "raftAppliedIndex", "etcdserver", "etcdcluster", "Endpoint", "storageVersion", "dbSizeQuota");
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern TS = Pattern.compile("\"ts\":\"[^\"]*\"");
    /** etcdctl endpoint health's round-trip time, text and JSON forms. */
    private static final Pattern TOOK = Pattern.compile("(took = |\"took\":\")[0-9.]+[µnm]?s");
    /** etcdctl's simple endpoint status: endpoint, id, version, db size, leader, learner, term, index, applied, errors. */
    private static final Pattern STATUS_LINE = Pattern.compile(
            "^<ENDPOINT>, (\\S+), (\\S+), ([0-9.]+ [kMGT]?B), (true|false), (true|false), (\\d+), (\\d+), (\\d+), (.*)$");

    /** What identifies one side; any field may be null when unknown. */
    record Identity(String endpoint, String memberIdDec, String memberIdHex, String clusterIdDec, String clusterIdHex,
                    List<String> versions) {
    }

    private final Identity id;

    Normalizer(Identity id) {
        this.id = id;
    }

    /** Normalizes a text output: JSON lines are masked structurally, the rest textually. */
    String text(String raw) {
        String s = raw.replace("http://" + id.endpoint(), "<ENDPOINT>").replace(id.endpoint(), "<ENDPOINT>");
        s = UUID.matcher(s).replaceAll("<UUID>");
        s = TS.matcher(s).replaceAll("\"ts\":\"<TS>\"");
        s = TOOK.matcher(s).replaceAll("$1<DURATION>");
        List<String> out = new ArrayList<>();
        for (String line : s.split("\n", -1)) {
            String t = line.trim();
            if ((t.startsWith("{") && t.endsWith("}")) || (t.startsWith("[") && t.endsWith("]"))) {
                try {
                    out.add(json(JSON.readTree(t)));
                    continue;
                } catch (JsonProcessingException notJson) {
                    // fall through: treat as text
                }
            }
            out.add(textLine(line));
        }
        return String.join("\n", out);
    }

    private String textLine(String line) {
        Matcher m = STATUS_LINE.matcher(line);
        if (m.matches()) {
            return "<ENDPOINT>, " + maskId(m.group(1)) + ", <VERSION>, <DBSIZE>, " + m.group(4) + ", " + m.group(5)
                    + ", <RAFT_TERM>, <RAFT_INDEX>, <RAFT_INDEX>, " + m.group(9);
        }
        return maskIds(line);
    }

    private String maskId(String token) {
        if (token.equals(id.memberIdHex()) || token.equals(id.memberIdDec())) {
            return "<MEMBER_ID>";
        }
        if (token.equals(id.clusterIdHex()) || token.equals(id.clusterIdDec())) {
            return "<CLUSTER_ID>";
        }
        return token;
    }

    private String maskIds(String line) {
        String s = line;
        for (String[] pair : new String[][] {{id.memberIdDec(), "<MEMBER_ID>"}, {id.memberIdHex(), "<MEMBER_ID>"},
                {id.clusterIdDec(), "<CLUSTER_ID>"}, {id.clusterIdHex(), "<CLUSTER_ID>"}}) {
            if (pair[0] != null && !pair[0].isEmpty()) {
                s = s.replaceAll("\\b" + Pattern.quote(pair[0]) + "\\b", pair[1]);
            }
        }
        if (id.versions() != null) {
            for (String v : id.versions()) {
                s = s.replaceAll("(?<![0-9.])" + Pattern.quote(v) + "(?![0-9.])", "<VERSION>");
            }
        }
        return s;
    }

    /** Masks a parsed JSON document and prints it with sorted keys. */
    String json(JsonNode node) {
        JsonNode copy = node.deepCopy();
        mask(copy, null);
        try {
            return JSON.writeValueAsString(JSON.treeToValue(copy, Object.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void mask(JsonNode node, String memberIdInScope) {
        if (node instanceof ObjectNode obj) {
            String memberId = memberIdInScope;
            JsonNode header = obj.get("header");
            if (header != null && header.has("member_id")) {
                memberId = header.get("member_id").asText();
            }
            Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
            List<Map.Entry<String, JsonNode>> replace = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                String name = f.getKey();
                JsonNode v = f.getValue();
                if (HEADER_IDS.contains(name) || STATUS_MASKED.contains(name)) {
                    replace.add(Map.entry(name, TextNode.valueOf("<" + name + ">")));
                } else if (name.equals("TTL") && obj.has("grantedTTL") && remainingWithin(v, obj.get("grantedTTL"))) {
                    // a LeaseTimeToLive's remaining seconds are timing; only that they lie in [0, granted] is compared
                    replace.add(Map.entry(name, TextNode.valueOf("<remaining TTL, 0..grantedTTL>")));
                } else if (name.equals("keys") && obj.has("grantedTTL") && v instanceof ArrayNode keys) {
                    List<JsonNode> sorted = new ArrayList<>();
                    keys.forEach(sorted::add);
                    sorted.sort(java.util.Comparator.comparing(JsonNode::asText));
                    replace.add(Map.entry(name, JsonNodeFactory.instance.arrayNode().addAll(sorted)));
                } else if (name.equals("leader")) {
                    boolean self = v.asText().equals(memberId) || v.asText().equals(id.memberIdDec());
                    replace.add(Map.entry(name, TextNode.valueOf(self ? "<self>" : "<other member>")));
                } else if (name.equals("version") && v.isTextual() && v.asText().matches("\\d+\\.\\d+\\.\\d+.*")) {
                    // server version (status); a KeyValue's version is a number (or a numeric string on the gateway)
                    replace.add(Map.entry(name, TextNode.valueOf("<server version>")));
                } else {
                    mask(v, memberId);
                }
            }
            for (Map.Entry<String, JsonNode> r : replace) {
                obj.set(r.getKey(), r.getValue());
            }
        } else if (node instanceof ArrayNode arr) {
            for (JsonNode element : arr) {
                mask(element, memberIdInScope);
            }
        }
    }

    /** True if {@code ttl} and {@code granted} are integers (gateway int64s are strings) with 0 <= ttl <= granted. */
    private static boolean remainingWithin(JsonNode ttl, JsonNode granted) {
        try {
            long t = Long.parseLong(ttl.asText());
            return t >= 0 && t <= Long.parseLong(granted.asText());
        } catch (NumberFormatException notAnInteger) {
            return false;
        }
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }
}
