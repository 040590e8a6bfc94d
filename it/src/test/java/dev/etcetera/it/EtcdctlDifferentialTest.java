package dev.etcetera.it;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The same etcdctl command sequences against a real etcd and the subject; outputs (stdout, stderr, exit code,
 * in the simple and the JSON format) must be equal after masking ids, terms and versions. Covers every KV
 * option and error of issue 2 that etcdctl 3.4 can express (min/max revision filters, count_only and lease
 * compares have no etcdctl 3.4 flags: see {@link GatewayDifferentialTest} and {@link JetcdTest}).
 */
@ExtendWith(SharedServers.class)
class EtcdctlDifferentialTest {
    private record Scenario(String id, Consumer<Steps> script) {
    }

    @TestFactory
    Stream<DynamicTest> etcdctl(ServerPair pair) {
        return scenarios().stream().map(s -> DynamicTest.dynamicTest(s.id(), () -> Differential.run(pair, s.id(), s.script())));
    }

    private static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        all.add(new Scenario("ctl-get-ranges", s -> s
                .ctl("put", "k1", "v1").ctl("put", "k2", "v2").ctl("put", "k3", "v3").ctl("put", "k4", "v4")
                .ctl("put", "l1", "w1")
                .ctl("get", "k1")
                .ctl("get", "missing")
                .ctl("get", "k1", "k3")
                .ctl("get", "k3", "k1")
                .ctl("get", "k", "--prefix")
                .ctl("get", "k", "--prefix", "--consistency=s")
                .ctl("get", "k3", "--from-key")
                .ctl("get", "", "--from-key")
                .ctl("get", "", "--prefix")
                .ctl("get", "k2", "--prefix")
                .ctl("get", "zz", "--from-key")));
        all.add(new Scenario("ctl-get-limit", s -> s
                .ctl("put", "a/1", "1").ctl("put", "a/2", "2").ctl("put", "a/3", "3").ctl("put", "b", "x")
                .ctl("get", "a/", "--prefix", "--limit", "2")
                .ctl("get", "a/", "--prefix", "--limit", "3")
                .ctl("get", "a/", "--prefix", "--limit", "0")
                .ctl("get", "a/", "--prefix", "--limit", "10")
                .ctl("get", "", "--from-key", "--limit", "1")
                .ctl("get", "a/", "--prefix", "--limit", "1", "--order", "DESCEND")
                .ctl("get", "a/", "--prefix", "--limit", "-1")));
        all.add(new Scenario("ctl-get-output-options", s -> s
                .ctl("put", "o/1", "one").ctl("put", "o/2", "two").ctl("put", "o/empty", "")
                .ctl("get", "o/", "--prefix", "--keys-only")
                .ctl("get", "o/", "--prefix", "--print-value-only")
                .ctl("get", "o/", "--prefix", "--keys-only", "--print-value-only")
                .ctl("get", "o/", "--prefix", "--hex")
                .ctl("get", "o/empty")
                .ctl("get", "o/", "--prefix", "--count-only")));
        all.add(new Scenario("ctl-get-sort", s -> {
            // keys, values, versions, create and mod revisions all ordered differently
            s.ctl("put", "s/b", "3").ctl("put", "s/a", "9").ctl("put", "s/c", "1").ctl("put", "s/a", "2")
                    .ctl("put", "s/b", "5").ctl("put", "s/b", "0");
            for (String target : new String[] {"KEY", "VERSION", "CREATE", "MODIFY", "VALUE"}) {
                for (String order : new String[] {"ASCEND", "DESCEND"}) {
                    s.ctl("get", "s/", "--prefix", "--sort-by", target, "--order", order);
                }
                s.ctl("get", "s/", "--prefix", "--sort-by", target);
                s.ctl("get", "s/", "--prefix", "--sort-by", target, "--order", "DESCEND", "--limit", "2");
            }
            s.ctl("get", "s/", "--prefix", "--order", "DESCEND");
            s.ctl("get", "s/", "--prefix", "--order", "ASCEND");
            s.ctl("get", "s/", "--prefix", "--sort-by", "BOGUS");
            s.ctl("get", "s/", "--prefix", "--order", "SIDEWAYS");
        }));
        all.add(new Scenario("ctl-get-revisions", s -> s
                .ctl("put", "r", "1")   // rev0+1
                .ctl("put", "r", "2")   // +2 (json run of the same put)
                .ctl("put", "r", "3")   // +3
                .ctl("put", "r", "4")   // +4
                .ctl("del", "r")        // +5; the json run deletes nothing
                .ctl("put", "r", "5")   // +6, +7
                .ctl("get", "r", "--rev", s.rev(1))
                .ctl("get", "r", "--rev", s.rev(4))
                .ctl("get", "r", "--rev", s.rev(5))
                .ctl("get", "r", "--rev", s.rev(6))
                .ctl("get", "r", "--rev", s.rev(7))
                .ctl("get", "r", "--rev", s.rev(8))
                .ctl("get", "r", "--rev", s.rev(100))
                .ctl("get", "r", "--rev", "0")
                .ctl("get", "r", "--rev", "-1")
                .ctl("get", "", "--from-key", "--rev", s.rev(2))));
        all.add(new Scenario("ctl-compaction", s -> s
                .ctl("put", "c", "1").ctl("put", "c", "2").ctl("put", "c", "3")   // rev0+1 .. +6
                .ctlOnce("compaction", s.rev(2))
                .ctl("get", "c", "--rev", s.rev(1))
                .ctl("get", "c", "--rev", s.rev(2))
                .ctl("get", "c", "--rev", s.rev(3))
                .ctlOnce("compaction", s.rev(2))
                .ctlOnce("compaction", s.rev(1))
                .ctlOnce("compaction", s.rev(1000))
                .ctlOnce("compaction", "--physical", s.rev(4))
                .ctlOnce("compaction", "--physical", s.rev(6), "-w", "json")
                .ctlOnce("compaction", s.rev(7))
                .ctlOnce("compaction", "0")
                .ctlOnce("compaction", "-3")
                .ctlOnce("compaction", "nan")
                .ctl("get", "c", "--rev", s.rev(5))
                .ctl("get", "c")));
        all.add(new Scenario("ctl-put-options", s -> s
                .ctl("put", "p", "1", "--prev-kv")
                .ctl("put", "p", "2", "--prev-kv")
                .ctl("put", "p", "--ignore-value")
                .ctl("put", "p", "--ignore-value", "--prev-kv")
                .ctl("put", "nokey", "--ignore-value")
                .ctl("put", "p", "3", "--ignore-lease")
                .ctl("put", "nokey", "3", "--ignore-lease")
                .ctl("put", "p", "--ignore-value", "--ignore-lease")
                .ctl("put", "p", "x", "--lease=1234abcd")
                .ctl("put", "p", "x", "--lease=zz")
                .ctl("put", "p", "x", "--ignore-value")
                .ctl("get", "p")
                .ctl("get", "nokey")));
        all.add(new Scenario("ctl-del", s -> s
                .ctl("put", "d/1", "1").ctlOnce("put", "d/2", "2").ctlOnce("put", "d/3", "3")
                .ctlOnce("put", "d/4", "4").ctlOnce("put", "e", "5").ctlOnce("put", "f", "6")
                .ctl("del", "d/1", "--prev-kv")
                .ctl("del", "missing")
                .ctlOnce("del", "d/2", "d/4", "--prev-kv")
                .ctlOnce("get", "d/", "--prefix")
                .ctlOnce("put", "d/2", "again")
                .ctlOnce("del", "d/", "--prefix", "-w", "json")
                .ctlOnce("del", "e", "--from-key", "--prev-kv")
                .ctl("get", "", "--from-key")
                .ctl("del", "", "--prefix")));
        all.add(new Scenario("ctl-txn", s -> s
                .ctl("put", "t/a", "1").ctl("put", "t/b", "2")
                .ctlIn("value(\"t/a\") = \"1\"\nver(\"t/a\") > \"1\"\ncreate(\"t/a\") < \"" + s.rev(100) + "\"\n"
                        + "mod(\"t/b\") = \"" + s.rev(4) + "\"\n\nput t/x yes\nget t/ --prefix\ndel t/b --prev-kv\n\n"
                        + "put t/y no\n\n", "txn")
                .ctlIn("value(\"t/a\") = \"nope\"\n\nput t/x yes\n\nput t/y no\nget t/y\nget t/ --prefix --keys-only\n\n", "txn")
                .ctlIn("value(\"t/missing\") = \"\"\n\nput t/m 1\n\nput t/m 0\n\n", "txn")
                .ctlIn("ver(\"t/missing\") = \"0\"\ncreate(\"t/missing\") = \"0\"\nmod(\"t/missing\") = \"0\"\n\nput t/n 1\n\n\n", "txn")
                .ctlIn("value(\"t/a\") != \"1\"\n\nput t/z 1\n\nget t/a\n\n", "txn")
                .ctlIn("ver(\"t/a\") < \"2\"\n\nput t/z 1\n\n\n", "txn")
                .ctlIn("\n\nget t/ --prefix --limit 1 --sort-by VALUE --order DESCEND\n\n\n", "txn")
                .ctlIn("\nput t/dup 1\nput t/dup 2\n\n\n", "txn")
                .ctlIn("\n\nput t/dup 1\ndel t/ --prefix\n\n", "txn")
                .ctlIn("\nput t/dup 1\n\nput t/dup 1\nput t/dup 2\n\n", "txn")
                .ctlIn("\nget t/a\nget t/a\nput t/q 1\n\n\n", "txn")
                .ctlIn(manyPuts(128), "txn")
                .ctlIn(manyPuts(129), "txn")
                .ctlIn("bogus compare\n\n\n\n", "txn")
                .ctl("get", "t/", "--prefix")));
        all.add(new Scenario("ctl-errors", s -> s
                .ctl("put", "", "v")
                .ctl("get", "")
                .ctl("del", "")
                .ctlIn("\nput '' v\n\n\n", "txn")
                .ctlIn("x".repeat(1024 * 1024), "put", "one-mib")
                .ctlIn("y".repeat(1536 * 1024 + 1), "put", "too-big")
                .ctlIn("z".repeat(2 * 1024 * 1024 + 100), "put", "way-too-big")
                .ctl("get", "one-mib", "--keys-only")
                .ctl("get", "too-big")
                .ctl("get", "way-too-big")));
        all.add(new Scenario("ctl-endpoint-status", s -> s
                .ctl("put", "st", "1")
                .ctl("endpoint", "status")
                .ctl("endpoint", "health")));
        return all;
    }

    /** A txn with {@code n} distinct puts in its success branch. */
    private static String manyPuts(int n) {
        StringBuilder txn = new StringBuilder("\n");
        for (int i = 0; i < n; i++) {
            txn.append("put t/many/").append(i).append(" v\n");
        }
        return txn.append("\n\n").toString();
    }
}
