package dev.etcetera.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EtcdConfigTest {

    private static EtcdConfig parse(String... args) throws ConfigException {
        return EtcdConfig.parse(List.of(args), Map.of());
    }

    private static ConfigException fails(String... args) {
        return assertThrows(ConfigException.class, () -> EtcdConfig.parse(List.of(args), Map.of()));
    }

    private static List<EtcdUrl> urls(String text) {
        return EtcdUrl.parseList(text);
    }

    @Test
    void defaults() throws ConfigException {
        EtcdConfig c = parse();
        assertEquals(new MemberConfig("default", "default.etcetera", urls("http://127.0.0.1:2380"), urls("http://127.0.0.1:2379"),
                List.of(), urls("http://127.0.0.1:2380"), urls("http://127.0.0.1:2379")), c.member());
        assertEquals(Map.of("default", urls("http://127.0.0.1:2380")), c.cluster().initialCluster());
        assertEquals("etcd-cluster", c.cluster().token());
        assertEquals(ClusterConfig.State.NEW, c.cluster().state());
        assertEquals(new RaftConfig(100, 1000, 10000), c.raft());
        assertEquals(10, c.raft().electionTicks());
        assertEquals(new StorageConfig(0, StorageConfig.AutoCompactionMode.PERIODIC, "0", 1000), c.storage());
        assertEquals(OptionalLong.of(2L << 30), c.storage().effectiveQuotaBytes());
        assertEquals(new StorageConfig.Disabled(), c.storage().autoCompaction());
        assertEquals(new LimitsConfig(1572864, 128), c.limits());
        assertEquals(new LoggingConfig(LoggingConfig.LogLevel.INFO), c.logging());
        assertEquals(new WatchConfig(Duration.ofMinutes(10)), c.watch());
        assertEquals(new PayaraConfig(12379, 22379), c.payara());
        assertEquals(List.of(), c.warnings());
        assertEquals("", c.value(FlagTable.WAL_DIR));
        assertEquals("true", c.pending().get("pre-vote"));
    }

    @Test
    void derivedDefaultsFollowTheFlagsTheyDeriveFrom() throws ConfigException {
        EtcdConfig c = parse("--name", "infra1", "--initial-advertise-peer-urls", "http://10.0.0.1:2380,http://10.0.0.2:2380",
                "--listen-client-urls", "http://0.0.0.0:3379,http://127.0.0.1:4379", "--advertise-client-urls", "http://10.0.0.1:3379",
                "--listen-peer-urls", "http://0.0.0.0:2380");
        assertEquals("infra1.etcetera", c.member().dataDir());
        assertEquals("infra1=http://10.0.0.1:2380,infra1=http://10.0.0.2:2380", c.value(FlagTable.INITIAL_CLUSTER));
        assertEquals(new PayaraConfig(13379, 23379), c.payara());
    }

    @Test
    void explicitValuesBeatDerivedDefaults() throws ConfigException {
        EtcdConfig c = parse("--name", "n", "--data-dir", "/srv/n", "--payara-http-port", "8080", "--payara-hazelcast-port", "5701");
        assertEquals("/srv/n", c.member().dataDir());
        assertEquals(new PayaraConfig(8080, 5701), c.payara());
    }

    @Test
    void environmentFeedsTheTypedRecords() throws ConfigException {
        EtcdConfig c = EtcdConfig.parse(List.of("--max-txn-ops", "64"),
                Map.of("ETCD_MAX_REQUEST_BYTES", "1000", "ETCD_NAME", "envname",
                        "ETCD_INITIAL_CLUSTER", "envname=http://127.0.0.1:2380"));
        assertEquals(new LimitsConfig(1000, 64), c.limits());
        assertEquals("envname", c.member().name());
        assertEquals(0, c.warnings().size());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "max-txn-ops|abc|invalid value \"abc\" for flag --max-txn-ops: not an integer",
            "max-txn-ops|-1|invalid value \"-1\" for flag --max-txn-ops: must not be negative",
            "max-request-bytes|1.5|invalid value \"1.5\" for flag --max-request-bytes: not an integer",
            "snapshot-count|99999999999999999999|invalid value \"99999999999999999999\" for flag --snapshot-count: out of range (0 to 9223372036854775807)",
            "heartbeat-interval|x|invalid value \"x\" for flag --heartbeat-interval: not an integer",
            "compaction-batch-limit|ten|invalid value \"ten\" for flag --compaction-batch-limit: not an integer",
            "quota-backend-bytes|2GB|invalid value \"2GB\" for flag --quota-backend-bytes: not an integer",
            "initial-cluster-state|old|invalid value \"old\" for flag --initial-cluster-state: valid values are new, existing",
            "auto-compaction-mode|daily|invalid value \"daily\" for flag --auto-compaction-mode: valid values are periodic, revision",
            "log-level|verbose|invalid value \"verbose\" for flag --log-level: valid values are debug, info, warn, error, panic, fatal",
            "watch-progress-notify-interval|10|invalid value \"10\" for flag --watch-progress-notify-interval: missing unit in duration (use ns, us, ms, s, m or h)",
            "watch-progress-notify-interval|-1s|invalid value \"-1s\" for flag --watch-progress-notify-interval: must not be negative",
            "listen-client-urls|127.0.0.1:2379|invalid value \"127.0.0.1:2379\" for flag --listen-client-urls: URL scheme must be http or https: 127.0.0.1:2379",
            "listen-client-urls|ftp://127.0.0.1:2379|invalid value \"ftp://127.0.0.1:2379\" for flag --listen-client-urls: URL scheme must be http, https, unix, or unixs: ftp://127.0.0.1:2379",
            "listen-client-urls|http://127.0.0.1|invalid value \"http://127.0.0.1\" for flag --listen-client-urls: URL address does not have the form \"host:port\": http://127.0.0.1",
            "listen-client-urls|http://127.0.0.1:2379/v3|invalid value \"http://127.0.0.1:2379/v3\" for flag --listen-client-urls: URL must not contain a path: http://127.0.0.1:2379/v3",
            "listen-client-urls|http://127.0.0.1:65536|invalid value \"http://127.0.0.1:65536\" for flag --listen-client-urls: URL port out of range (1-65535): http://127.0.0.1:65536",
            "listen-client-urls|http://127.0.0.1:abc|invalid value \"http://127.0.0.1:abc\" for flag --listen-client-urls: URL port is not a number: http://127.0.0.1:abc",
            "listen-client-urls|http://example.com:2379|invalid value \"http://example.com:2379\" for flag --listen-client-urls: expected IP in URL for binding (http://example.com:2379)",
            "listen-client-urls|unix://sock:1|invalid value \"unix://sock:1\" for flag --listen-client-urls: unix socket URLs are not supported by etcetera yet: unix://sock:1",
            "initial-advertise-peer-urls|http://:2380|invalid value \"http://:2380\" for flag --initial-advertise-peer-urls: URL has an empty host: http://:2380",
            "initial-cluster|default|invalid value \"default\" for flag --initial-cluster: \"default\" is not of the form name=url",
            "initial-cluster|default=|invalid value \"default=\" for flag --initial-cluster: empty URL",
            "feature-gates|Foo=true|invalid value \"Foo=true\" for flag --feature-gates: unrecognized feature gate: Foo",
            "payara-http-port|0|invalid value \"0\" for flag --payara-http-port: not a valid port (1-65535)",
            "payara-hazelcast-port|70000|invalid value \"70000\" for flag --payara-hazelcast-port: not a valid port (1-65535)",
            "bcrypt-cost|3|invalid value \"3\" for flag --bcrypt-cost: out of range (4 to 31)",
    })
    void badValuesNameTheFlag(String flag, String value, String message) {
        ConfigException e = fails("--" + flag, value);
        assertEquals(flag, e.flag());
        assertEquals(message, e.getMessage());
    }

    @Test
    void advertisedClientUrlsAreRequiredWithExplicitListenUrls() {
        ConfigException e = fails("--listen-client-urls", "http://127.0.0.1:3379");
        assertEquals("advertise-client-urls", e.flag());
        assertEquals("--advertise-client-urls is required when --listen-client-urls is set explicitly", e.getMessage());
    }

    @Test
    void localMemberMustBeInTheInitialCluster() {
        ConfigException e = fails("--name", "a", "--initial-cluster", "b=http://127.0.0.1:2380");
        assertEquals("initial-cluster", e.flag());
        assertEquals("couldn't find local name \"a\" in the initial cluster configuration"
                + " (--initial-cluster b=http://127.0.0.1:2380)", e.getMessage());
    }

    @Test
    void initialClusterMustListExactlyTheAdvertisedPeerUrls() {
        ConfigException more = fails("--initial-cluster", "default=http://127.0.0.1:2380,default=http://127.0.0.1:2381");
        assertEquals("initial-cluster", more.flag());
        assertEquals("--initial-cluster has default=http://127.0.0.1:2381 but missing from"
                + " --initial-advertise-peer-urls=http://127.0.0.1:2380", more.getMessage());
        ConfigException fewer = fails("--initial-advertise-peer-urls", "http://127.0.0.1:2380,http://127.0.0.1:2381",
                "--initial-cluster", "default=http://127.0.0.1:2380");
        assertEquals("initial-advertise-peer-urls", fewer.flag());
        assertEquals("--initial-advertise-peer-urls has http://127.0.0.1:2381 but missing from"
                + " --initial-cluster=default=http://127.0.0.1:2380", fewer.getMessage());
    }

    @Test
    void defaultInitialClusterFollowsNameAndPeerUrls() throws ConfigException {
        // unlike etcd (which keeps default=http://localhost:2380 when only the peer URLs change)
        EtcdConfig c = parse("--initial-advertise-peer-urls", "http://127.0.0.1:2480");
        assertEquals(Map.of("default", urls("http://127.0.0.1:2480")), c.cluster().initialCluster());
    }

    @Test
    void duplicatePeerUrlsInTheInitialCluster() {
        ConfigException e = fails("--initial-cluster", "default=http://127.0.0.1:2380,other=http://127.0.0.1:2380");
        assertEquals("initial-cluster", e.flag());
        assertTrue(e.getMessage().endsWith("has duplicate url http://127.0.0.1:2380"), e.getMessage());
    }

    @Test
    void emptyInitialCluster() {
        assertEquals("initial-cluster", fails("--initial-cluster", "").flag());
    }

    @Test
    void threeMemberCluster() throws ConfigException {
        EtcdConfig c = parse("--name", "b", "--initial-cluster-state", "existing",
                "--initial-advertise-peer-urls", "http://10.0.0.2:2380", "--listen-peer-urls", "http://10.0.0.2:2380",
                "--initial-cluster", "a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380");
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(c.cluster().initialCluster().keySet()));
        assertEquals(ClusterConfig.State.EXISTING, c.cluster().state());
        assertEquals(3, c.cluster().initialMemberIds().size());
    }

    @Test
    void raftTimingRulesUseEtcdsMessages() {
        ConfigException ratio = fails("--heartbeat-interval", "300");
        assertEquals("election-timeout", ratio.flag());
        assertEquals("--election-timeout[1000ms] should be at least as 5 times as --heartbeat-interval[300ms]", ratio.getMessage());
        assertEquals("--heartbeat-interval must be >0 (set to 0ms)", fails("--heartbeat-interval", "0").getMessage());
        assertEquals("--election-timeout must be >0 (set to 0ms)", fails("--election-timeout", "0").getMessage());
        assertEquals("--election-timeout[50001ms] is too long, and should be set less than 50000ms",
                fails("--election-timeout", "50001").getMessage());
    }

    @Test
    void raftTimingBoundaries() throws ConfigException {
        assertEquals(5, parse("--heartbeat-interval", "200", "--election-timeout", "1000").raft().electionTicks());
        assertEquals(new RaftConfig(10, 50000, 0), parse("--heartbeat-interval", "10", "--election-timeout", "50000",
                "--snapshot-count", "0").raft());
        assertEquals(10000, parse("--snapshot-count", "0").raft().effectiveSnapshotCount());
    }

    @Test
    void autoCompaction() throws ConfigException {
        assertEquals(new StorageConfig.Periodic(Duration.ofHours(1)), parse("--auto-compaction-retention", "1").storage().autoCompaction());
        assertEquals(new StorageConfig.Periodic(Duration.ofMinutes(30)),
                parse("--auto-compaction-retention", "30m").storage().autoCompaction());
        assertEquals(new StorageConfig.Revisions(1000), parse("--auto-compaction-mode", "revision",
                "--auto-compaction-retention", "1000").storage().autoCompaction());
        assertEquals(new StorageConfig.Disabled(), parse("--auto-compaction-mode", "revision").storage().autoCompaction());
        ConfigException e = fails("--auto-compaction-retention", "soon");
        assertEquals("auto-compaction-retention", e.flag());
        assertEquals("invalid value \"soon\" for flag --auto-compaction-retention: error parsing CompactionRetention:"
                + " not a duration (examples: 500ms, 10s, 5m, 1h30m)", e.getMessage());
        assertEquals("auto-compaction-retention", fails("--auto-compaction-mode", "revision", "--auto-compaction-retention", "5m").flag());
        assertEquals("auto-compaction-retention", fails("--auto-compaction-retention", "-5m").flag());
    }

    @Test
    void quotaAndBatchLimitSemantics() throws ConfigException {
        assertEquals(OptionalLong.of(1024), parse("--quota-backend-bytes", "1024").storage().effectiveQuotaBytes());
        assertEquals(OptionalLong.empty(), parse("--quota-backend-bytes", "-1").storage().effectiveQuotaBytes());
        EtcdConfig big = parse("--quota-backend-bytes", Long.toString(16L << 30));
        assertEquals(List.of("--quota-backend-bytes 17179869184 exceeds the maximum recommended 8589934592 bytes (8 GiB)"), big.warnings());
        assertEquals(1000, parse("--compaction-batch-limit", "0").storage().effectiveCompactionBatchLimit());
        ConfigException e = fails("--compaction-batch-limit", "-1");
        assertEquals("compaction-batch-limit", e.flag());
        assertEquals("invalid value \"-1\" for flag --compaction-batch-limit: must not be negative", e.getMessage());
    }

    @Test
    void experimentalSpellingsFeedTheSameRecords() throws ConfigException {
        EtcdConfig c = parse("--experimental-compaction-batch-limit", "50", "--experimental-watch-progress-notify-interval", "5s");
        assertEquals(50, c.storage().compactionBatchLimit());
        assertEquals(Duration.ofSeconds(5), c.watch().progressNotifyInterval());
        assertEquals("50", c.value(FlagTable.EXPERIMENTAL_COMPACTION_BATCH_LIMIT));
        assertEquals("50", c.value(FlagTable.COMPACTION_BATCH_LIMIT));
        EtcdConfig n = parse("--compaction-batch-limit", "60");
        assertEquals("60", n.value(FlagTable.EXPERIMENTAL_COMPACTION_BATCH_LIMIT));
    }

    @Test
    void limits() throws ConfigException {
        assertEquals(new LimitsConfig(10, 1), parse("--max-request-bytes", "10", "--max-txn-ops", "1").limits());
        assertEquals(10 + 512 * 1024, parse("--max-request-bytes", "10").limits().maxGrpcReceiveBytes());
        assertEquals("max-request-bytes", fails("--max-request-bytes", "4294967296").flag());
        assertEquals("max-txn-ops", fails("--max-txn-ops", "4294967296").flag());
    }

    @Test
    void payaraPortsMustBeFreeAndValid() {
        ConfigException same = fails("--payara-http-port", "5000", "--payara-hazelcast-port", "5000");
        assertEquals("payara-hazelcast-port", same.flag());
        assertEquals("--payara-hazelcast-port 5000 collides with --payara-http-port 5000", same.getMessage());
        ConfigException peer = fails("--payara-http-port", "2380");
        assertEquals("payara-http-port", peer.flag());
        assertEquals("--payara-http-port 2380 collides with --listen-peer-urls http://127.0.0.1:2380;"
                + " set --payara-http-port to a free port", peer.getMessage());
        ConfigException derived = fails("--listen-peer-urls", "http://127.0.0.1:12379");
        assertEquals("payara-http-port", derived.flag());
        ConfigException hz = fails("--payara-hazelcast-port", "2379");
        assertEquals("payara-hazelcast-port", hz.flag());
        ConfigException metrics = fails("--listen-metrics-urls", "http://127.0.0.1:22379");
        assertEquals("payara-hazelcast-port", metrics.flag());
    }

    @Test
    void derivedPayaraPortOutOfRangeNamesTheFlagAndExplains() {
        ConfigException e = fails("--listen-client-urls", "http://127.0.0.1:60000", "--advertise-client-urls", "http://127.0.0.1:60000");
        assertEquals("payara-http-port", e.flag());
        assertEquals("invalid value \"70000\" for flag --payara-http-port: not a valid port (1-65535); its default is"
                + " <lowest --listen-client-urls port + 10000>, set --payara-http-port explicitly", e.getMessage());
        ConfigException hz = fails("--listen-client-urls", "http://127.0.0.1:50000", "--advertise-client-urls", "http://127.0.0.1:50000");
        assertEquals("payara-hazelcast-port", hz.flag());
    }

    @Test
    void listenersMustNotShareAnAddress() {
        ConfigException e = fails("--listen-peer-urls", "http://127.0.0.1:2379");
        assertEquals("listen-client-urls", e.flag());
        assertEquals("--listen-client-urls http://127.0.0.1:2379 uses the same address as --listen-peer-urls"
                + " http://127.0.0.1:2379", e.getMessage());
        ConfigException wildcard = fails("--listen-client-http-urls", "http://0.0.0.0:2380");
        assertEquals("listen-client-http-urls", wildcard.flag());
        // different IPs on one port are fine
        assertDoesNotThrow(() -> parse("--listen-client-http-urls", "http://127.0.0.2:2380"));
    }

    @Test
    void httpsIsRefusedUntilTlsExists() {
        ConfigException e = fails("--listen-client-urls", "https://127.0.0.1:2379", "--advertise-client-urls", "https://127.0.0.1:2379");
        assertEquals("listen-client-urls", e.flag());
        assertEquals("invalid value \"https://127.0.0.1:2379\" for flag --listen-client-urls: https is not supported yet"
                + " (TLS is not implemented)", e.getMessage());
    }

    @Test
    void emptyUrlListsAreRefusedWhereAUrlIsNeeded() {
        assertEquals("listen-peer-urls", fails("--listen-peer-urls", "").flag());
        assertEquals("advertise-client-urls", fails("--advertise-client-urls", "").flag());
        assertEquals("name", fails("--name", "", "--initial-cluster", "x=http://127.0.0.1:2380").flag());
    }

    @Test
    void localhostAndIpv6AreAccepted() throws ConfigException {
        EtcdConfig c = parse("--listen-client-urls", "http://localhost:2379,http://[::1]:2379",
                "--advertise-client-urls", "http://localhost:2379");
        assertEquals(List.of(new EtcdUrl("http", "::1", 2379), new EtcdUrl("http", "localhost", 2379)), c.member().listenClientUrls());
        assertEquals("http://[::1]:2379,http://localhost:2379", c.value(FlagTable.LISTEN_CLIENT_URLS));
    }

    @Test
    void helpAndVersionAreNotConfigurations() {
        assertEquals("help", fails("--help").flag());
        assertEquals("version", fails("--version").flag());
    }

    @Test
    void roundTripOfDefaults() throws ConfigException {
        assertRoundTrip(parse());
    }

    @Test
    void roundTripOfAFullySetConfiguration() throws ConfigException {
        EtcdConfig original = EtcdConfig.parse(List.of("--name", "infra 2", "--data-dir", "/var/lib/etcetera data",
                        "--listen-peer-urls", "http://10.0.0.2:2380,http://127.0.0.1:2380",
                        "--initial-advertise-peer-urls", "http://10.0.0.2:2380",
                        "--initial-cluster", "infra 1=http://10.0.0.1:2380,infra 2=http://10.0.0.2:2380,infra3=http://10.0.0.3:2380",
                        "--initial-cluster-state", "existing", "--initial-cluster-token", "tok=en,1",
                        "--listen-client-urls", "http://0.0.0.0:2379", "--advertise-client-urls", "http://10.0.0.2:2379",
                        "--listen-client-http-urls", "http://127.0.0.1:2378",
                        "--heartbeat-interval", "50", "--election-timeout", "500", "--snapshot-count", "5000",
                        "--quota-backend-bytes", "1073741824", "--max-request-bytes", "1000000", "--max-txn-ops", "1000",
                        "--auto-compaction-mode", "revision", "--auto-compaction-retention", "100",
                        "--experimental-compaction-batch-limit", "10", "--watch-progress-notify-interval", "1m30s",
                        "--log-level", "debug", "--payara-http-port", "8080", "--payara-hazelcast-port", "6900",
                        "--cert-file", "/etc/ssl/c.pem", "--cors", "http://a.example,http://b.example",
                        "--log-rotation-config-json", "{\"maxsize\": 1}", "--feature-gates", "LeaseCheckpoint=true"),
                Map.of("ETCD_GRPC_KEEPALIVE_INTERVAL", "90m"));
        assertEquals("1h30m0s", original.value(FlagTable.get("grpc-keepalive-interval")));
        assertRoundTrip(original);
    }

    @Test
    void fromPropertiesTakesDefaultsForMissingKeys() throws ConfigException {
        EtcdConfig c = EtcdConfig.fromProperties(key -> Optional.ofNullable(Map.of("etcetera.name", "m1").get(key)));
        assertEquals("m1", c.member().name());
        assertEquals("m1.etcetera", c.member().dataDir());
        assertEquals(parse("--name", "m1"), c);
    }

    @Test
    void emptyValuesSurviveTheRoundTrip() throws ConfigException {
        // an empty token is legal in etcd and changes the member IDs, so "" must not fall back to the default
        EtcdConfig c = parse("--initial-cluster-token=", "--cors=");
        assertEquals("", c.cluster().token());
        assertRoundTrip(c);
        assertNotEquals(parse().cluster().initialMemberIds(), c.cluster().initialMemberIds());
    }

    @Test
    void fromPropertiesChecksValuesAndNamesTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> EtcdConfig.fromProperties(
                key -> Optional.ofNullable(Map.of("etcetera.max-txn-ops", "many").get(key))));
        assertEquals("max-txn-ops", e.flag());
        assertEquals("invalid value \"many\" for property etcetera.max-txn-ops (--max-txn-ops): not an integer", e.getMessage());
        ConfigException cross = assertThrows(ConfigException.class, () -> EtcdConfig.fromProperties(
                key -> Optional.ofNullable(Map.of("etcetera.name", "x", "etcetera.initial-cluster", "y=http://127.0.0.1:2380").get(key))));
        assertEquals("initial-cluster", cross.flag());
    }

    @Test
    void fromPropertiesRefusesDisagreeingSpellings() {
        Map<String, String> props = new HashMap<>();
        props.put("etcetera.compaction-batch-limit", "5");
        props.put("etcetera.experimental-compaction-batch-limit", "6");
        ConfigException e = assertThrows(ConfigException.class, () -> EtcdConfig.fromProperties(key -> Optional.ofNullable(props.get(key))));
        assertEquals("compaction-batch-limit", e.flag());
    }

    @Test
    void propertiesCoverEveryNonObsoleteFlagUnderItsKey() throws ConfigException {
        Map<String, String> props = parse().toProperties();
        List<String> expected = new ArrayList<>();
        for (FlagDefinition flag : FlagTable.all()) {
            if (!flag.obsolete()) {
                expected.add("etcetera." + flag.name());
            }
        }
        assertEquals(expected, new ArrayList<>(props.keySet()));
        assertEquals("default.etcetera", props.get("etcetera.data-dir"));
        assertEquals("default=http://127.0.0.1:2380", props.get("etcetera.initial-cluster"));
        assertEquals("12379", props.get("etcetera.payara-http-port"));
        assertEquals("22379", props.get("etcetera.payara-hazelcast-port"));
    }

    @Test
    void equalityFollowsValues() throws ConfigException {
        assertEquals(parse("--name", "a", "--initial-cluster", "a=http://127.0.0.1:2380"), parse("--name=a"));
        assertNotEquals(parse("--max-txn-ops", "1"), parse("--max-txn-ops", "2"));
        assertEquals(parse("--max-txn-ops", "1").hashCode(), parse("--max-txn-ops=1").hashCode());
    }

    private static void assertRoundTrip(EtcdConfig original) throws ConfigException {
        Map<String, String> props = original.toProperties();
        EtcdConfig back = EtcdConfig.fromProperties(key -> Optional.ofNullable(props.get(key)));
        assertEquals(original, back);
        assertEquals(original.member(), back.member());
        assertEquals(original.cluster(), back.cluster());
        assertEquals(original.raft(), back.raft());
        assertEquals(original.storage(), back.storage());
        assertEquals(original.limits(), back.limits());
        assertEquals(original.logging(), back.logging());
        assertEquals(original.watch(), back.watch());
        assertEquals(original.payara(), back.payara());
        assertEquals(original.pending(), back.pending());
        assertEquals(props, back.toProperties());
        assertEquals(List.of(), back.warnings());
        // and the canonical text of the flags that were set, given back as a command line, parses to
        // the same configuration (old spellings left out: their replacement carries the value)
        List<String> args = new ArrayList<>();
        for (String name : original.values().explicit()) {
            if (FlagTable.get(name).replacedBy() == null) {
                args.add("--" + name + "=" + props.get("etcetera." + name));
            }
        }
        assertEquals(original, EtcdConfig.parse(args, Map.of()));
    }
}
