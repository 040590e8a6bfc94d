package dev.etcetera.it.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.etcetera.it.harness.EtcdProcess;
import dev.etcetera.it.harness.Etcdctl;
import dev.etcetera.it.harness.MemberProcess;
import dev.etcetera.it.harness.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code etcdctl watch} against a real etcd and a member, outputs compared after masking the
 * cluster/member IDs and term: prefix, single key, range, --rev history, --prev-kv, -w json,
 * interactive mode (several watches and a progress request on one stream), compacted start
 * revision. Both servers start fresh and receive the same writes, so revisions line up; watches
 * name their start revision so the output does not depend on when the watch was established.
 *
 * <p>etcdctl 3.4 has no {@code --progress-notify} flag; periodic progress notifications are covered
 * by the core tests (WatchSemanticsTest.progressNotifyWhenIdle) and the progress request here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EtcdctlWatchDifferentialTest {
    private static final String PROGRESS_INTERVAL = "2s";
    private ServerProcess etcd;
    private ServerProcess member;

    @BeforeAll
    void start() {
        // a short idle-progress interval for progressNotifyOverTheGateway (etcdctl 3.4 cannot ask for progress_notify,
        // and no other scenario does, so it changes nothing else); both servers take etcd 3.4's flag name
        etcd = new EtcdProcess("watch-ref-etcd").withFlags("--experimental-watch-progress-notify-interval", PROGRESS_INTERVAL);
        member = new MemberProcess("watch-ctl-member").withFlags("--experimental-watch-progress-notify-interval", PROGRESS_INTERVAL);
        CompletableFuture<Void> e = CompletableFuture.runAsync(etcd::start);
        try {
            member.start();
            e.join();
        } catch (RuntimeException failure) {
            stop();
            throw failure;
        }
    }

    @AfterAll
    void stop() {
        if (member != null) {
            member.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    /** One scenario, run on both servers in turn; returns the transcripts for comparison. */
    private interface Scenario {
        void run(Etcdctl ctl, String endpoint, long base, StringBuilder transcript) throws Exception;
    }

    private void differential(String name, Scenario scenario) throws Exception {
        long baseEtcd = revision(new Etcdctl(etcd.clientUrl()));
        long baseMember = revision(new Etcdctl(member.clientUrl()));
        assertEquals(baseEtcd, baseMember, name + ": servers must start the scenario at the same revision");
        List<String> transcripts = new ArrayList<>();
        for (ServerProcess s : List.of(etcd, member)) {
            StringBuilder t = new StringBuilder();
            scenario.run(new Etcdctl(s.clientUrl()), s.clientUrl(), baseEtcd, t);
            transcripts.add(normalize(t.toString()));
        }
        System.out.println("[watch-it] " + name + " (etcd):\n" + transcripts.get(0));
        assertEquals(transcripts.get(0), transcripts.get(1), name + ": member differs from etcd");
    }

    static long revision(Etcdctl ctl) {
        Etcdctl.Result r = ctl.run("get", "revision-probe", "-w", "json");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"revision\":(\\d+)").matcher(r.stdout());
        if (!m.find()) {
            throw new IllegalStateException("no revision in " + r);
        }
        return Long.parseLong(m.group(1));
    }

    static String normalize(String s) {
        return s.replaceAll("\"cluster_id\":\"?\\d+\"?", "\"cluster_id\":CID")
                .replaceAll("\"member_id\":\"?\\d+\"?", "\"member_id\":MID")
                .replaceAll("\"raft_term\":\"?\\d+\"?", "\"raft_term\":TERM");
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    /** Opens {@code POST /v3/watch} with {@code body}; the response's lines arrive as the server streams them. */
    private static java.net.http.HttpResponse<java.util.stream.Stream<String>> gatewayWatch(String endpoint, String body)
            throws Exception {
        java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(endpoint + "/v3/watch"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.sendAsync(req, java.net.http.HttpResponse.BodyHandlers.ofLines()).get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static void put(Etcdctl ctl, String k, String v) {
        Etcdctl.Result r = ctl.run("put", k, v);
        if (r.exitCode() != 0) {
            throw new AssertionError("put " + k + ": " + r);
        }
    }

    /** Starts a watch, runs {@code live} once the watch printed {@code firstMarker}, waits for {@code end}. */
    private static void watch(StringBuilder t, String endpoint, List<String> args, String firstMarker, Runnable live,
                              String end) throws Exception {
        try (BackgroundWatch w = new BackgroundWatch(endpoint, args)) {
            if (firstMarker != null) {
                w.await(firstMarker, 1);
            }
            live.run();
            w.await(end, 1);
            t.append("$ etcdctl ").append(String.join(" ", args)).append('\n').append(w.stdout());
        }
    }

    @Test
    @Order(1)
    void prefixHistoryThenLive() throws Exception {
        differential("watch-prefix", (ctl, ep, base, t) -> {
            put(ctl, "p/a", "1");
            put(ctl, "p/b", "2");
            put(ctl, "q", "outside");
            ctl.run("del", "p/a");
            watch(t, ep, List.of("watch", "p/", "--prefix", "--rev", Long.toString(base + 1)), "p/b", () -> {
                put(ctl, "p/c", "3");
                put(ctl, "p/c", "4");
                put(ctl, "p/end", "x");
            }, "p/end");
            watch(t, ep, List.of("watch", "p/", "--prefix", "--rev", Long.toString(base + 1), "-w", "json"), null, () -> {
            }, "cC9lbmQ=");
        });
    }

    @Test
    @Order(2)
    void singleKeyRangeAndPrevKv() throws Exception {
        differential("watch-key-range-prevkv", (ctl, ep, base, t) -> {
            put(ctl, "r/1", "a");
            put(ctl, "r/2", "b");
            put(ctl, "r/1", "c");
            ctl.run("del", "r/", "--prefix");
            put(ctl, "r/3", "end");
            watch(t, ep, List.of("watch", "r/1", "--rev", Long.toString(base + 1)), null, () -> {
            }, "DELETE");
            watch(t, ep, List.of("watch", "r/1", "r/3", "--rev", Long.toString(base + 1), "--prev-kv"), null, () -> {
            }, "DELETE\nr/2");
            watch(t, ep, List.of("watch", "r/", "--prefix", "--prev-kv", "--rev", Long.toString(base + 1), "-w", "json"),
                    null, () -> {
                    }, "ci8z");
        });
    }

    @Test
    @Order(3)
    void interactiveWatchesAndProgress() throws Exception {
        differential("watch-interactive", (ctl, ep, base, t) -> {
            put(ctl, "i/a", "1");
            put(ctl, "i/b", "2");
            try (BackgroundWatch w = new BackgroundWatch(ep, List.of("watch", "-i"))) {
                w.line("watch i/a --rev " + (base + 1));
                w.await("i/a", 1);
                w.line("watch i/ --prefix --rev " + (base + 1));
                w.await("i/b", 1);
                // a live event for one watcher only: etcdctl prints each watch from its own goroutine,
                // so an event both watchers get would interleave nondeterministically on either server
                put(ctl, "i/b", "3");
                w.await("\n3\n", 1);
                w.line("progress");
                w.await("progress notify", 2);
                w.closeStdin();
                t.append("exit ").append(w.awaitExit()).append('\n');
                t.append(w.stdout()).append("stderr: ").append(w.stderr());
            }
        });
    }

    @Test
    @Order(4)
    void compactedStartRevision() throws Exception {
        differential("watch-compacted", (ctl, ep, base, t) -> {
            put(ctl, "c/a", "1");
            put(ctl, "c/a", "2");
            put(ctl, "c/a", "3");
            Etcdctl.Result compact = ctl.run("compact", Long.toString(base + 2));
            t.append(compact.stdout());
            try (BackgroundWatch w = new BackgroundWatch(ep, List.of("watch", "c/a", "--rev", Long.toString(base + 1)))) {
                t.append("exit ").append(w.awaitExit()).append('\n');
                t.append(w.stdout()).append("stderr: ").append(w.stderr());
            }
            try (BackgroundWatch w = new BackgroundWatch(ep, List.of("watch", "c/a", "--rev", Long.toString(base + 1), "-w", "json"))) {
                t.append("exit ").append(w.awaitExit()).append('\n');
                t.append(w.stdout()).append("stderr: ").append(w.stderr());
            }
            watch(t, ep, List.of("watch", "c/a", "--rev", Long.toString(base + 2)), null, () -> {
            }, "\n3\n");
        });
    }

    @Test
    @Order(5)
    void jsonGatewayStreamsResultLines() throws Exception {
        differential("watch-gateway", (ctl, ep, base, t) -> {
            put(ctl, "g/a", "1");
            put(ctl, "g/a", "2");
            ctl.run("del", "g/a");
            java.net.http.HttpResponse<java.util.stream.Stream<String>> resp = gatewayWatch(ep,
                    "{\"create_request\":{\"key\":\"Zy8=\",\"range_end\":\"ZzA=\",\"start_revision\":\""
                    + (base + 1) + "\",\"prev_kv\":true}}");
            t.append("status ").append(resp.statusCode()).append('\n');
            java.util.Iterator<String> lines = resp.body().iterator();
            // every read is bounded: the stream never ends by itself
            java.util.concurrent.CompletableFuture.runAsync(() -> {
            // created, then the history (one response per revision or grouped: compare events only)
            t.append(lines.next()).append('\n');
            int events = 0;
            StringBuilder evs = new StringBuilder();
            while (events < 3) {
                String line = lines.next();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"(type|kv)\"").matcher(line);
                while (m.find()) {
                    events++;
                }
                evs.append(line.replaceAll(".*\"events\":", "")).append('\n');
            }
            put(ctl, "g/b", "live");
            t.append(evs).append(lines.next()).append('\n');
            }).get(60, java.util.concurrent.TimeUnit.SECONDS);
            resp.body().close();
        });
    }

    /**
     * progress_notify over the JSON gateway: an idle watcher gets a notification (header at the current
     * revision, no events) each interval; an event in between is delivered as usual, and the next notification
     * carries the new revision. Each read is bounded; only the first notification after each step is compared.
     */
    @Test
    @Order(6)
    void progressNotifyOverTheGateway() throws Exception {
        differential("watch-progress-notify", (ctl, ep, base, t) -> {
            java.net.http.HttpResponse<java.util.stream.Stream<String>> resp =
                    gatewayWatch(ep, "{\"create_request\":{\"key\":\"cG4v\",\"range_end\":\"cG4w\",\"progress_notify\":true}}");
            t.append("status ").append(resp.statusCode()).append('\n');
            java.util.Iterator<String> lines = resp.body().iterator();
            java.util.concurrent.CompletableFuture.runAsync(() -> {
                t.append("created: ").append(lines.next()).append('\n');
                t.append("idle: ").append(lines.next()).append('\n');
                // the put goes through the gateway (milliseconds), well inside the 2 s interval, so no notification
                // at the old revision can come between the idle one and the event
                try {
                    HTTP.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ep + "/v3/kv/put"))
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"key\":\"cG4vYQ==\",\"value\":\"MQ==\"}"))
                            .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                } catch (java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException("put pn/a", e);
                }
                t.append("event: ").append(lines.next()).append('\n');
                t.append("idle again: ").append(lines.next()).append('\n');
            }).get(60, java.util.concurrent.TimeUnit.SECONDS);
            resp.body().close();
        });
    }
}
