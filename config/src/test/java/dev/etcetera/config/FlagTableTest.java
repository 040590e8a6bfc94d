package dev.etcetera.config;

import dev.etcetera.config.FlagDefinition.Derived;
import dev.etcetera.config.FlagDefinition.Fixed;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlagTableTest {

    /** The flags Etcetera acts on today; a later issue that implements one adds it here. */
    private static final Set<String> IMPLEMENTED = Set.of("name", "data-dir", "listen-client-urls", "advertise-client-urls",
            "listen-client-http-urls", "listen-peer-urls", "initial-advertise-peer-urls", "initial-cluster",
            "initial-cluster-token", "initial-cluster-state", "snapshot-count", "max-request-bytes", "max-txn-ops",
            "quota-backend-bytes", "heartbeat-interval", "election-timeout", "auto-compaction-mode", "auto-compaction-retention",
            "compaction-batch-limit", "experimental-compaction-batch-limit", "log-level", "watch-progress-notify-interval",
            "experimental-watch-progress-notify-interval", "payara-http-port", "payara-hazelcast-port",
            "wal-dir", "snapshot-catchup-entries", "experimental-snapshot-catchup-entries", "journal-max-pending-bytes");

    @Test
    void implementedSetIsExactlyTheExpectedOne() {
        Set<String> implemented = new HashSet<>();
        FlagTable.all().stream().filter(FlagDefinition::implemented).forEach(f -> implemented.add(f.name()));
        assertEquals(IMPLEMENTED, implemented);
    }

    @Test
    void coversEtcd36FlagSet() {
        // a sample across etcd 3.6's help sections. The whole table was compared with the flag names
        // registered by etcd v3.6.0's embed.Config.AddFlags and etcdmain.newConfig: none is missing;
        // 153 = 137 etcd flags (without --version) + 13 obsolete ignored ones + 2 Payara ports + 1 journal bound
        for (String name : List.of("wal-dir", "max-wals", "backend-batch-interval", "grpc-keepalive-timeout", "raft-read-timeout",
                "feature-gates", "discovery-srv-name", "pre-vote", "v2-deprecation", "peer-cert-allowed-hostname", "tls-max-version",
                "bcrypt-cost", "listen-metrics-urls", "log-rotation-config-json", "distributed-tracing-sampling-rate",
                "experimental-enable-lease-checkpoint-persist", "snapshot-catchup-entries", "downgrade-check-time",
                "experimental-stop-grpc-service-on-defrag", "unsafe-no-fsync", "force-new-cluster", "config-file", "max-learners")) {
            assertTrue(FlagTable.find(name).isPresent(), name);
        }
        assertEquals(153, FlagTable.all().size(), "flag count changed: update this number deliberately");
    }

    @Test
    void fixedDefaultsAreCanonical() {
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.defaultValue() instanceof Fixed fixed) {
                assertEquals(fixed.text(), flag.kind().canonical(fixed.text()), flag.name());
            }
        }
    }

    @Test
    void derivedDefaultsReadOnlyFlagsWithFixedDefaults() {
        // FlagValues.resolve computes derived defaults in one pass; this keeps that valid
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.defaultValue() instanceof Derived derived) {
                java.util.Map<String, String> fixedOnly = new java.util.HashMap<>();
                FlagTable.all().stream().filter(f -> f.defaultValue() instanceof Fixed)
                        .forEach(f -> fixedOnly.put(f.name(), ((Fixed) f.defaultValue()).text()));
                String value = derived.compute().apply(java.util.Collections.unmodifiableMap(fixedOnly));
                assertEquals(value, flag.kind().canonical(value), flag.name());
            }
        }
    }

    @Test
    void namesEnvironmentVariablesAndKeysAreUnique() {
        Set<String> env = new HashSet<>();
        Set<String> keys = new HashSet<>();
        for (FlagDefinition flag : FlagTable.all()) {
            assertTrue(flag.name().matches("[a-z0-9]+(-[a-z0-9]+)*"), flag.name());
            assertTrue(env.add(flag.envName()), flag.envName());
            assertTrue(keys.add(flag.propertyKey()), flag.propertyKey());
        }
        assertEquals("ETCD_LISTEN_CLIENT_URLS", FlagTable.LISTEN_CLIENT_URLS.envName());
        assertEquals("etcetera.listen-client-urls", FlagTable.LISTEN_CLIENT_URLS.propertyKey());
    }

    @Test
    void aliasesShareKindAndImplementationWithTheirTarget() {
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.replacedBy() != null) {
                FlagDefinition target = FlagTable.get(flag.replacedBy());
                assertEquals(target.kind(), flag.kind(), flag.name());
                assertEquals(target.implemented(), flag.implemented(), flag.name());
                assertEquals(target.defaultValue(), flag.defaultValue(), flag.name());
            }
        }
    }
}
