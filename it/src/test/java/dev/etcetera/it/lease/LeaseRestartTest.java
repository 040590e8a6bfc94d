package dev.etcetera.it.lease;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.etcetera.it.harness.MemberProcess;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Leases across kill -9: they are persisted with the entry that granted them, come back at start with their
 * keys attached again, and get their full TTL from the start (etcd's promotion rule). A lease whose TTL ran
 * out while the member was down is therefore revoked one TTL after the start, with its keys.
 */
class LeaseRestartTest {

    static ByteSequence bs(String s) {
        return ByteSequence.from(s, UTF_8);
    }

    @Test
    void leasesSurviveKill9AndExpiredOnesAreRevokedAfterStart() {
        Assumptions.assumeTrue(MemberProcess.available(), "bin/etcetera not available");
        try (MemberProcess member = new MemberProcess("lease-restart")) {
            member.start();
            long shortLease;
            long longLease;
            try (Client client = Client.builder().endpoints(member.clientUrl()).build()) {
                shortLease = Waits.get(client.getLeaseClient().grant(4), "grant 4 s").getID();
                longLease = Waits.get(client.getLeaseClient().grant(600), "grant 600 s").getID();
                Waits.get(client.getKVClient().put(bs("r/short"), bs("v"), PutOption.builder().withLeaseId(shortLease).build()), "put");
                Waits.get(client.getKVClient().put(bs("r/long"), bs("v"), PutOption.builder().withLeaseId(longLease).build()), "put");
                Waits.get(client.getKVClient().put(bs("r/plain"), bs("v")), "put");
            }
            member.kill9();
            long downAt = System.nanoTime();
            member.start(); // takes longer than the short lease's 4 s on this machine, and at least 4 s anyway:
            Waits.until(() -> System.nanoTime() - downAt > Duration.ofSeconds(4).toNanos(), Duration.ofSeconds(10),
                    "the short lease's TTL to have passed since the crash");
            try (Client client = Client.builder().endpoints(member.clientUrl()).build()) {
                LeaseTimeToLiveResponse longTtl = Waits.get(client.getLeaseClient().timeToLive(longLease,
                        LeaseOption.builder().withAttachedKeys().build()), "ttl long");
                assertEquals(600, longTtl.getGrantedTTL());
                assertTrue(longTtl.getTTL() >= 590, "refreshed to its full TTL at start, got " + longTtl.getTTL());
                assertEquals(List.of("r/long"), longTtl.getKeys().stream().map(k -> k.toString(UTF_8)).toList(),
                        "attachment rebuilt from the key");
                Waits.until(() -> Waits.get(client.getLeaseClient().timeToLive(shortLease, LeaseOption.DEFAULT), "ttl").getTTL() == -1,
                        Duration.ofSeconds(30), "the short lease (expired while down) to be revoked after start");
                List<String> left = Waits.get(client.getKVClient().get(bs("r/"),
                        io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()), "get r/")
                        .getKvs().stream().map(kv -> kv.getKey().toString(UTF_8)).toList();
                assertEquals(List.of("r/long", "r/plain"), left, "only the expired lease's key is gone");
            }
        }
    }
}
