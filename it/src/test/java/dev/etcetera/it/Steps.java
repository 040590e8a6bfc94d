package dev.etcetera.it;

import dev.etcetera.it.harness.Etcdctl;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Records what one side answers to a scenario's requests as a normalized transcript. A scenario is straight-line
 * code over this interface, run once per side; it must not branch on answers, so both sides get the same requests.
 */
final class Steps {
    private final Side side;
    private final StringBuilder transcript = new StringBuilder();
    private final long startRevision;

    Steps(Side side, long startRevision) {
        this.side = side;
        this.startRevision = startRevision;
    }

    /**
     * The store revision when the scenario started plus {@code delta}, as a decimal string: both sides start a
     * scenario at the same revision, so absolute revisions in requests are computed from it, never read back.
     */
    String rev(long delta) {
        return Long.toString(startRevision + delta);
    }

    /** Label of the side this transcript records ("etcd" for the reference); only harness self-tests branch on it. */
    String sideLabel() {
        return side.label;
    }

    String transcript() {
        return transcript.toString();
    }

    /** etcdctl with the default simple output and again with {@code -w json}. */
    Steps ctl(String... args) {
        return ctlIn(null, args);
    }

    /** As {@link #ctl}, with {@code stdin} (txn's interactive form) fed to both runs. */
    Steps ctlIn(String stdin, String... args) {
        once(stdin, List.of(args));
        List<String> json = new ArrayList<>(Arrays.asList(args));
        json.add("-w");
        json.add("json");
        once(stdin, json);
        return this;
    }

    /** etcdctl exactly once with the given args (use for output formats chosen by the scenario). */
    Steps ctlOnce(String... args) {
        once(null, List.of(args));
        return this;
    }

    private void once(String stdin, List<String> args) {
        Etcdctl.Result r = side.etcdctl.run(stdin, args);
        Normalizer n = side.normalizer();
        transcript.append("$ etcdctl ").append(String.join(" ", args.stream().map(Steps::quote).toList()));
        if (stdin != null) {
            transcript.append(" <<< ").append(stdin.length() > 4000
                    ? "(" + stdin.length() + " chars: " + quote(stdin.substring(0, 20)) + "...)" : quote(stdin));
        }
        transcript.append("\nexit ").append(r.exitCode()).append('\n');
        section("stdout", n.text(r.stdout()));
        section("stderr", n.text(r.stderr()));
    }

    /** POST a JSON body to the gateway. */
    Steps post(String path, String body) {
        record("POST " + path + " " + (body.length() > 4000 ? "(" + body.length() + " chars: " + body.substring(0, 60) + "...)" : body),
                side.post(path, body));
        return this;
    }

    /** GET from the gateway. */
    Steps get(String path) {
        record("GET " + path, side.get(path));
        return this;
    }

    private void record(String request, Side.HttpResult r) {
        transcript.append("$ ").append(request).append("\nstatus ").append(r.status()).append('\n');
        String body;
        try {
            // every JSON value of the body, one a line: a streamed body (keepalive, watch) has one per response
            List<String> values = new ArrayList<>();
            try (com.fasterxml.jackson.databind.MappingIterator<com.fasterxml.jackson.databind.JsonNode> it =
                         Normalizer.JSON.readerFor(com.fasterxml.jackson.databind.JsonNode.class).readValues(r.body())) {
                while (it.hasNextValue()) {
                    values.add(side.normalizer().json(it.nextValue()));
                }
            }
            body = values.isEmpty() ? "" : String.join("\n", values);
        } catch (IOException | RuntimeException notJson) {
            body = "(not JSON) " + side.normalizer().text(r.body());
        }
        section("body", body);
    }

    private void section(String name, String text) {
        if (text.isEmpty()) {
            return;
        }
        transcript.append(name).append(":\n");
        for (String line : text.split("\n", -1)) {
            transcript.append("  | ").append(line).append('\n');
        }
    }

    private static String quote(String s) {
        if (!s.isEmpty() && s.chars().allMatch(c -> c > ' ' && c < 127 && c != '\'' && c != '"' && c != '\\')) {
            return s;
        }
        StringBuilder q = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c == '\n') {
                q.append("\\n");
            } else if (c < ' ' || c >= 127) {
                q.append(String.format("\\u%04x", (int) c));
            } else {
                q.append(c);
            }
        }
        return q.append('\'').toString();
    }
}
