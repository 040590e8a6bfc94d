package dev.etcetera.config;

import dev.etcetera.config.FlagDefinition.Component;
import dev.etcetera.config.FlagDefinition.Derived;
import dev.etcetera.config.FlagDefinition.Fixed;
import dev.etcetera.config.FlagDefinition.Section;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every flag of etcd 3.6's server command line, plus Etcetera's own, in etcd's help order: the one
 * table that parsing, the environment, the properties and the help text are driven by.
 *
 * <p>Defaults are etcd 3.6's except: loopback URLs are {@code 127.0.0.1} (etcd: {@code localhost}),
 * {@code --data-dir} is {@code ${name}.etcetera}, and {@code --initial-cluster} defaults to this
 * member's name with its {@code --initial-advertise-peer-urls} whatever the name is.
 *
 * <p>To implement a flag: flip its {@code implemented} argument to true (use {@code impl(...)}),
 * expose it as a constant here, and read it in the typed record named by its component.
 */
public final class FlagTable {
    private static final ValueKind TEXT = new ValueKind.Text();
    private static final ValueKind BOOL = new ValueKind.Bool();
    private static final ValueKind UINT = ValueKind.Int.unsigned();
    private static final ValueKind INT = ValueKind.Int.signed();
    private static final ValueKind DURATION = new ValueKind.GoDurationKind();
    private static final ValueKind LISTEN_URLS = new ValueKind.Urls(true);
    private static final ValueKind ADVERTISE_URLS = new ValueKind.Urls(false);
    private static final ValueKind WORDS = new ValueKind.Words();
    private static final ValueKind PORT = new ValueKind.Port();

    /** etcd 3.6's server feature gates (server/features), plus the AllAlpha/AllBeta switches. */
    public static final List<String> FEATURE_GATES = List.of("AllAlpha", "AllBeta", "CompactHashCheck",
            "InitialCorruptCheck", "LeaseCheckpoint", "LeaseCheckpointPersist", "SetMemberLocalAddr",
            "StopGRPCServiceOnDefrag", "TxnModeWriteWithSharedBuffer");

    private static final List<FlagDefinition> ALL = new ArrayList<>();

    // ---------------------------------------------------------------- Member
    /** {@code --name}: this member's human-readable name; its key in {@code --initial-cluster}. */
    public static final FlagDefinition NAME = add(impl(Section.MEMBER, Component.MEMBER, "name", TEXT, "default",
            "Human-readable name of this member; must match its entry in --initial-cluster."));
    /** {@code --data-dir}: where this member keeps its journal, snapshots and database. */
    public static final FlagDefinition DATA_DIR = add(new FlagDefinition("data-dir", TEXT,
            new Derived("${name}.etcetera", v -> v.get("name") + ".etcetera"),
            "Directory holding this member's journal, snapshots and key-value database.",
            true, Component.MEMBER, Section.MEMBER, null, null));
    /** {@code --wal-dir}: a separate directory for the journal (default: {@code <data-dir>/member/wal}). */
    public static final FlagDefinition WAL_DIR = add(impl(Section.MEMBER, Component.MEMBER, "wal-dir", TEXT, "",
            "Separate directory for the write-ahead journal (empty: inside --data-dir)."));
    /** {@code --snapshot-count}: applied entries between two Raft snapshots. */
    public static final FlagDefinition SNAPSHOT_COUNT = add(impl(Section.MEMBER, Component.RAFT, "snapshot-count", UINT, "10000",
            "Applied entries after which a Raft snapshot is taken (0: the default 10000).")
            .deprecated("--snapshot-count is deprecated in etcd v3.6 and will be decommissioned in v3.7"));
    /** {@code --heartbeat-interval}: milliseconds between leader heartbeats (one Raft tick). */
    public static final FlagDefinition HEARTBEAT_INTERVAL = add(impl(Section.MEMBER, Component.RAFT, "heartbeat-interval", UINT, "100",
            "Leader heartbeat interval in milliseconds; also the Raft tick."));
    /** {@code --election-timeout}: milliseconds a follower waits for the leader before campaigning. */
    public static final FlagDefinition ELECTION_TIMEOUT = add(impl(Section.MEMBER, Component.RAFT, "election-timeout", UINT, "1000",
            "Election timeout in milliseconds; at least 5 heartbeat intervals, at most 50000."));
    static {
        add(todo(Section.MEMBER, Component.RAFT, "initial-election-tick-advance", BOOL, "true",
                "Fast-forward election ticks at boot so that the first election happens sooner."));
    }
    /** {@code --listen-peer-urls}: addresses this member accepts Raft peer traffic on. */
    public static final FlagDefinition LISTEN_PEER_URLS = add(impl(Section.MEMBER, Component.MEMBER, "listen-peer-urls", LISTEN_URLS,
            "http://127.0.0.1:2380", "URLs to listen on for peer (Raft) traffic; hosts must be IP addresses or localhost."));
    /** {@code --listen-client-urls}: addresses serving client gRPC (and HTTP unless split off). */
    public static final FlagDefinition LISTEN_CLIENT_URLS = add(impl(Section.MEMBER, Component.MEMBER, "listen-client-urls", LISTEN_URLS,
            "http://127.0.0.1:2379", "URLs to listen on for client gRPC traffic, and HTTP unless --listen-client-http-urls is set."));
    /** {@code --listen-client-http-urls}: addresses serving client HTTP only (empty: HTTP shares the gRPC port). */
    public static final FlagDefinition LISTEN_CLIENT_HTTP_URLS = add(impl(Section.MEMBER, Component.MEMBER, "listen-client-http-urls",
            LISTEN_URLS, "", "URLs to listen on for client HTTP only; when set, --listen-client-urls serves gRPC only."));
    static {
        add(todo(Section.MEMBER, Component.STORAGE, "max-snapshots", UINT, "5",
                "Snapshot files to retain (0: unlimited).")
                .deprecated("--max-snapshots is deprecated in etcd v3.6 and will be decommissioned in v3.7"));
        add(todo(Section.MEMBER, Component.STORAGE, "max-wals", UINT, "5", "Journal files to retain (0: unlimited)."));
        add(todo(Section.MEMBER, Component.STORAGE, "memory-mlock", BOOL, "false", "Lock the database pages in RAM."));
    }
    /** {@code --quota-backend-bytes}: database size that raises the NOSPACE alarm (0: 2 GiB; negative: no quota). */
    public static final FlagDefinition QUOTA_BACKEND_BYTES = add(impl(Section.MEMBER, Component.STORAGE, "quota-backend-bytes", INT, "0",
            "Database size in bytes that raises the NOSPACE alarm (0: the default 2 GiB)."));
    static {
        add(todo(Section.MEMBER, Component.BACKEND, "backend-bbolt-freelist-type", new ValueKind.Choice(List.of("map", "array")), "map",
                "Free-list type of etcd's bbolt backend (no meaning for Etcetera's storage)."));
        add(todo(Section.MEMBER, Component.BACKEND, "backend-batch-interval", DURATION, "0s",
                "Longest time before a backend transaction is committed."));
        add(todo(Section.MEMBER, Component.BACKEND, "backend-batch-limit", INT, "0",
                "Most operations before a backend transaction is committed."));
    }
    /** {@code --max-txn-ops}: most operations in one transaction. */
    public static final FlagDefinition MAX_TXN_OPS = add(impl(Section.MEMBER, Component.LIMITS, "max-txn-ops", UINT, "128",
            "Most operations allowed in one transaction."));
    /** {@code --max-request-bytes}: largest client request accepted, in bytes. */
    public static final FlagDefinition MAX_REQUEST_BYTES = add(impl(Section.MEMBER, Component.LIMITS, "max-request-bytes", UINT, "1572864",
            "Largest client request accepted, in bytes."));
    static {
        add(todo(Section.MEMBER, Component.GRPC, "max-concurrent-streams", new ValueKind.Int(0, 4294967295L), "4294967295",
                "Most concurrent gRPC streams per client connection."));
        add(todo(Section.MEMBER, Component.GRPC, "grpc-keepalive-min-time", DURATION, "5s",
                "Shortest interval a client may ping the server at."));
        add(todo(Section.MEMBER, Component.GRPC, "grpc-keepalive-interval", DURATION, "2h0m0s",
                "Interval of server-to-client pings (0: disabled)."));
        add(todo(Section.MEMBER, Component.GRPC, "grpc-keepalive-timeout", DURATION, "20s",
                "How long to wait for a ping answer before closing the connection (0: disabled)."));
        add(todo(Section.MEMBER, Component.GRPC, "socket-reuse-port", BOOL, "false", "Set SO_REUSEPORT on listeners."));
        add(todo(Section.MEMBER, Component.GRPC, "socket-reuse-address", BOOL, "false", "Set SO_REUSEADDR on listeners."));
        add(todo(Section.MEMBER, Component.GRPC, "enable-grpc-gateway", BOOL, "true", "Serve the HTTP/JSON gateway (/v3/...)."));
        add(todo(Section.MEMBER, Component.CLUSTER, "raft-read-timeout", DURATION, "5s", "Read timeout of peer connections."));
        add(todo(Section.MEMBER, Component.CLUSTER, "raft-write-timeout", DURATION, "5s", "Write timeout of peer connections."));
        add(todo(Section.MEMBER, Component.FEATURES, "feature-gates", new ValueKind.FeatureGates(FEATURE_GATES), "",
                "Alpha/beta features as Name=true|false pairs: " + String.join(", ", FEATURE_GATES.subList(2, FEATURE_GATES.size())) + "."));
    }

    /** {@code --config-file}: etcd's YAML configuration file (not implemented yet). */
    public static final FlagDefinition CONFIG_FILE = add(todo(Section.MEMBER, Component.LAUNCHER, "config-file", TEXT, "",
            "etcd YAML configuration file; when given, etcd ignores other flags and ETCD_* variables."));

    // ------------------------------------------------------------ Clustering
    /** {@code --initial-advertise-peer-urls}: this member's peer URLs as announced to the cluster. */
    public static final FlagDefinition INITIAL_ADVERTISE_PEER_URLS = add(impl(Section.CLUSTERING, Component.MEMBER,
            "initial-advertise-peer-urls", ADVERTISE_URLS, "http://127.0.0.1:2380",
            "This member's peer URLs as announced to the rest of the cluster."));
    /** {@code --initial-cluster}: the bootstrap membership, {@code name=peerURL,...}. */
    public static final FlagDefinition INITIAL_CLUSTER = add(new FlagDefinition("initial-cluster", new ValueKind.Cluster(),
            new Derived("${name}=${initial-advertise-peer-urls}",
                    v -> InitialCluster.of(v.get("name"), EtcdUrl.parseList(v.get("initial-advertise-peer-urls")))),
            "Bootstrap membership as name=peerURL pairs; must contain this member.",
            true, Component.CLUSTER, Section.CLUSTERING, null, null));
    /** {@code --initial-cluster-state}: {@code new} to bootstrap, {@code existing} to join. */
    public static final FlagDefinition INITIAL_CLUSTER_STATE = add(impl(Section.CLUSTERING, Component.CLUSTER, "initial-cluster-state",
            new ValueKind.Choice(List.of("new", "existing")), "new",
            "'new' to bootstrap a cluster, 'existing' to join one (ignored once the member has data)."));
    /** {@code --initial-cluster-token}: distinguishes clusters bootstrapped with the same peer URLs. */
    public static final FlagDefinition INITIAL_CLUSTER_TOKEN = add(impl(Section.CLUSTERING, Component.CLUSTER, "initial-cluster-token", TEXT,
            "etcd-cluster", "Token mixed into the member and cluster IDs at bootstrap; use one per cluster."));
    /** {@code --advertise-client-urls}: this member's client URLs as announced to clients. */
    public static final FlagDefinition ADVERTISE_CLIENT_URLS = add(impl(Section.CLUSTERING, Component.MEMBER, "advertise-client-urls",
            ADVERTISE_URLS, "http://127.0.0.1:2379",
            "This member's client URLs as announced to clients; required when --listen-client-urls is set."));
    static {
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery", TEXT, "", "v2 discovery URL used to bootstrap the cluster."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-token", TEXT, "", "v3 discovery: token of the cluster to bootstrap."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-endpoints", WORDS, "", "v3 discovery: gRPC endpoints of the discovery service."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-dial-timeout", DURATION, "2s", "v3 discovery: dial timeout."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-request-timeout", DURATION, "5s", "v3 discovery: request timeout."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-keepalive-time", DURATION, "2s", "v3 discovery: keepalive time."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-keepalive-timeout", DURATION, "6s", "v3 discovery: keepalive timeout."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-insecure-transport", BOOL, "true", "v3 discovery: plain-text transport."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-insecure-skip-tls-verify", BOOL, "false",
                "v3 discovery: do not verify the server certificate (testing only)."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-cert", TEXT, "", "v3 discovery: client TLS certificate file."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-key", TEXT, "", "v3 discovery: client TLS key file."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-cacert", TEXT, "", "v3 discovery: CA bundle to verify the server."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-user", TEXT, "", "v3 discovery: user[:password]."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-password", TEXT, "", "v3 discovery: password."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-fallback", new ValueKind.Choice(List.of("exit", "proxy")), "exit",
                "What to do when discovery fails ('proxy' is refused, as in etcd 3.6)."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-proxy", TEXT, "", "HTTP proxy for v2 discovery."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-srv", TEXT, "", "DNS SRV domain to bootstrap from."));
        add(todo(Section.CLUSTERING, Component.DISCOVERY, "discovery-srv-name", TEXT, "", "Suffix of the DNS SRV name to query."));
        add(todo(Section.CLUSTERING, Component.CLUSTER, "strict-reconfig-check", BOOL, "true",
                "Refuse membership changes that would lose quorum."));
        add(todo(Section.CLUSTERING, Component.RAFT, "pre-vote", BOOL, "true",
                "Run Raft's pre-vote phase so a rejoining partitioned member does not disrupt the leader."));
    }
    /** {@code --auto-compaction-retention}: hours (or a duration) in periodic mode, revisions in revision mode; 0 disables. */
    public static final FlagDefinition AUTO_COMPACTION_RETENTION = add(impl(Section.CLUSTERING, Component.STORAGE,
            "auto-compaction-retention", TEXT, "0",
            "History to keep when auto-compacting: hours or a duration ('5m') in periodic mode, revisions in revision mode; 0 disables."));
    /** {@code --auto-compaction-mode}: {@code periodic} or {@code revision}. */
    public static final FlagDefinition AUTO_COMPACTION_MODE = add(impl(Section.CLUSTERING, Component.STORAGE, "auto-compaction-mode",
            new ValueKind.Choice(List.of("periodic", "revision")), "periodic",
            "How --auto-compaction-retention is read: 'periodic' (time) or 'revision' (count)."));
    static {
        add(todo(Section.CLUSTERING, Component.STORAGE, "v2-deprecation",
                new ValueKind.Choice(List.of("not-yet", "write-only", "write-only-drop-data", "gone")), "write-only",
                "Phase of the v2 store deprecation; etcd 3.6 enforces the default.")
                .deprecated("--v2-deprecation is deprecated and scheduled for removal in etcd v3.8; the default is enforced"));
    }

    // -------------------------------------------------------------- Security
    static {
        add(todo(Section.SECURITY, Component.TLS, "cert-file", TEXT, "", "Client-side server TLS certificate file."));
        add(todo(Section.SECURITY, Component.TLS, "key-file", TEXT, "", "Client-side server TLS key file."));
        add(todo(Section.SECURITY, Component.TLS, "client-cert-auth", BOOL, "false", "Require client certificates."));
        add(todo(Section.SECURITY, Component.TLS, "client-cert-file", TEXT, "", "Certificate to present when this server acts as a client."));
        add(todo(Section.SECURITY, Component.TLS, "client-key-file", TEXT, "", "Key to use when this server acts as a client."));
        add(todo(Section.SECURITY, Component.TLS, "client-crl-file", TEXT, "", "Client certificate revocation list."));
        add(todo(Section.SECURITY, Component.TLS, "client-cert-allowed-hostname", WORDS, "", "Allowed SAN hostnames of client certificates."));
        add(todo(Section.SECURITY, Component.TLS, "trusted-ca-file", TEXT, "", "CA bundle to verify client certificates."));
        add(todo(Section.SECURITY, Component.TLS, "auto-tls", BOOL, "false", "Serve clients with a generated self-signed certificate."));
        add(todo(Section.SECURITY, Component.TLS, "peer-cert-file", TEXT, "", "Peer TLS certificate file."));
        add(todo(Section.SECURITY, Component.TLS, "peer-key-file", TEXT, "", "Peer TLS key file."));
        add(todo(Section.SECURITY, Component.TLS, "peer-client-cert-auth", BOOL, "false", "Require peer client certificates."));
        add(todo(Section.SECURITY, Component.TLS, "peer-client-cert-file", TEXT, "", "Certificate to present to other peers."));
        add(todo(Section.SECURITY, Component.TLS, "peer-client-key-file", TEXT, "", "Key to use towards other peers."));
        add(todo(Section.SECURITY, Component.TLS, "peer-trusted-ca-file", TEXT, "", "CA bundle to verify peer certificates."));
        add(todo(Section.SECURITY, Component.TLS, "peer-cert-allowed-cn", WORDS, "", "Allowed common names of peer certificates."));
        add(todo(Section.SECURITY, Component.TLS, "peer-cert-allowed-hostname", WORDS, "", "Allowed SAN hostnames of peer certificates."));
        add(todo(Section.SECURITY, Component.TLS, "peer-auto-tls", BOOL, "false", "Talk to peers with a generated self-signed certificate."));
        add(todo(Section.SECURITY, Component.TLS, "self-signed-cert-validity", UINT, "1", "Validity in years of generated certificates."));
        add(todo(Section.SECURITY, Component.TLS, "peer-crl-file", TEXT, "", "Peer certificate revocation list."));
        add(todo(Section.SECURITY, Component.TLS, "cipher-suites", WORDS, "", "Allowed TLS cipher suites (empty: the JDK's defaults)."));
        add(todo(Section.SECURITY, Component.TLS, "cors", WORDS, "*", "Allowed CORS origins (* or empty: all)."));
        add(todo(Section.SECURITY, Component.TLS, "host-whitelist", WORDS, "*", "Allowed Host headers on plain HTTP (* or empty: all)."));
        add(todo(Section.SECURITY, Component.TLS, "tls-min-version", new ValueKind.Choice(List.of("TLS1.2", "TLS1.3")), "TLS1.2",
                "Lowest TLS version accepted."));
        add(todo(Section.SECURITY, Component.TLS, "tls-max-version", new ValueKind.Choice(List.of("", "TLS1.2", "TLS1.3")), "",
                "Highest TLS version accepted (empty: the highest available)."));
        add(todo(Section.SECURITY, Component.TLS, "experimental-peer-skip-client-san-verification", BOOL, "false",
                "Old spelling of --peer-skip-client-san-verification.").aliasOf("peer-skip-client-san-verification"));
        add(todo(Section.SECURITY, Component.TLS, "peer-skip-client-san-verification", BOOL, "false",
                "Do not check the SAN of peer client certificates."));
    }

    // ------------------------------------------------------------------ Auth
    static {
        add(todo(Section.AUTH, Component.AUTH, "auth-token", TEXT, "simple", "Auth token type and options: 'simple' or 'jwt,...'."));
        add(todo(Section.AUTH, Component.AUTH, "bcrypt-cost", new ValueKind.Int(4, 31), "10", "bcrypt cost for password hashes (4-31)."));
        add(todo(Section.AUTH, Component.AUTH, "auth-token-ttl", UINT, "300", "Lifetime of a simple auth token, in seconds."));
    }

    // ------------------------------------------------- Profiling / monitoring
    /** {@code --listen-metrics-urls}: extra listeners for /metrics and /health (not implemented yet). */
    public static final FlagDefinition LISTEN_METRICS_URLS;
    static {
        add(todo(Section.MONITORING, Component.MONITORING, "enable-pprof", BOOL, "false", "Serve profiling data under /debug/pprof."));
        add(todo(Section.MONITORING, Component.MONITORING, "metrics", new ValueKind.Choice(List.of("basic", "extensive")), "basic",
                "Metrics detail; 'extensive' adds gRPC latency histograms."));
        LISTEN_METRICS_URLS = add(todo(Section.MONITORING, Component.MONITORING, "listen-metrics-urls", LISTEN_URLS, "",
                "Extra URLs serving only /metrics and /health."));
    }

    // --------------------------------------------------------------- Logging
    static {
        add(todo(Section.LOGGING, Component.LOGGING, "logger", new ValueKind.Choice(List.of("zap")), "zap",
                "Logger implementation; etcd accepts only 'zap'."));
        add(todo(Section.LOGGING, Component.LOGGING, "log-outputs", WORDS, "default", "Log targets: default, stdout, stderr or file paths."));
    }
    /** {@code --log-level}: least severe level logged. */
    public static final FlagDefinition LOG_LEVEL = add(impl(Section.LOGGING, Component.LOGGING, "log-level",
            new ValueKind.Choice(List.of("debug", "info", "warn", "error", "panic", "fatal")), "info",
            "Least severe level logged: debug, info, warn, error, panic or fatal."));
    static {
        add(todo(Section.LOGGING, Component.LOGGING, "log-format", new ValueKind.Choice(List.of("json", "console")), "json",
                "Log line format: json or console."));
        add(todo(Section.LOGGING, Component.LOGGING, "enable-log-rotation", BOOL, "false", "Rotate the single file log target."));
        add(todo(Section.LOGGING, Component.LOGGING, "log-rotation-config-json", TEXT,
                "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}",
                "Log rotation settings as JSON."));
        add(todo(Section.LOGGING, Component.LOGGING, "warning-unary-request-duration", DURATION, "300ms",
                "Log a warning for unary requests slower than this."));
        add(todo(Section.LOGGING, Component.LOGGING, "experimental-warning-unary-request-duration", DURATION, "300ms",
                "Old spelling of --warning-unary-request-duration.").aliasOf("warning-unary-request-duration"));
    }

    // ------------------------------------------------------------ Tracing
    static {
        add(todo(Section.TRACING, Component.TRACING, "experimental-enable-distributed-tracing", BOOL, "false",
                "Old spelling of --enable-distributed-tracing.").aliasOf("enable-distributed-tracing"));
        add(todo(Section.TRACING, Component.TRACING, "enable-distributed-tracing", BOOL, "false", "Export OpenTelemetry traces."));
        add(todo(Section.TRACING, Component.TRACING, "experimental-distributed-tracing-address", TEXT, "localhost:4317",
                "Old spelling of --distributed-tracing-address.").aliasOf("distributed-tracing-address"));
        add(todo(Section.TRACING, Component.TRACING, "distributed-tracing-address", TEXT, "localhost:4317", "Trace collector address."));
        add(todo(Section.TRACING, Component.TRACING, "experimental-distributed-tracing-service-name", TEXT, "etcd",
                "Old spelling of --distributed-tracing-service-name.").aliasOf("distributed-tracing-service-name"));
        add(todo(Section.TRACING, Component.TRACING, "distributed-tracing-service-name", TEXT, "etcd",
                "Service name in traces; the same on every member."));
        add(todo(Section.TRACING, Component.TRACING, "experimental-distributed-tracing-instance-id", TEXT, "",
                "Old spelling of --distributed-tracing-instance-id.").aliasOf("distributed-tracing-instance-id"));
        add(todo(Section.TRACING, Component.TRACING, "distributed-tracing-instance-id", TEXT, "",
                "Instance ID in traces; unique per member."));
        add(todo(Section.TRACING, Component.TRACING, "experimental-distributed-tracing-sampling-rate", INT, "0",
                "Old spelling of --distributed-tracing-sampling-rate.").aliasOf("distributed-tracing-sampling-rate"));
        add(todo(Section.TRACING, Component.TRACING, "distributed-tracing-sampling-rate", INT, "0", "Spans sampled per million."));
    }

    // ----------------------------------------------------------- Experimental
    static {
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-initial-corrupt-check", BOOL, "false",
                "Check data for corruption before serving (etcd 3.6: --feature-gates=InitialCorruptCheck=true).")
                .deprecated("--experimental-initial-corrupt-check is deprecated in etcd v3.6; use --feature-gates=InitialCorruptCheck=true instead"));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-corrupt-check-time", DURATION, "0s",
                "Old spelling of --corrupt-check-time.").aliasOf("corrupt-check-time"));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "corrupt-check-time", DURATION, "0s",
                "Interval between cluster corruption checks (0: disabled)."));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-compact-hash-check-enabled", BOOL, "false",
                "Let the leader compare followers' compaction hashes (etcd 3.6: --feature-gates=CompactHashCheck=true).")
                .deprecated("--experimental-compact-hash-check-enabled is deprecated in etcd v3.6; use --feature-gates=CompactHashCheck=true instead"));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-compact-hash-check-time", DURATION, "1m0s",
                "Old spelling of --compact-hash-check-time.").aliasOf("compact-hash-check-time"));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "compact-hash-check-time", DURATION, "1m0s",
                "Interval between compaction hash checks."));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-enable-lease-checkpoint", BOOL, "false",
                "Checkpoint lease TTLs to followers (etcd 3.6: --feature-gates=LeaseCheckpoint=true).")
                .deprecated("--experimental-enable-lease-checkpoint is deprecated in etcd v3.6; use --feature-gates=LeaseCheckpoint=true instead"));
    }
    /** {@code --experimental-compaction-batch-limit}: etcd 3.5 spelling of {@code --compaction-batch-limit}. */
    public static final FlagDefinition EXPERIMENTAL_COMPACTION_BATCH_LIMIT = add(impl(Section.EXPERIMENTAL, Component.STORAGE,
            "experimental-compaction-batch-limit", INT, "1000", "Old spelling of --compaction-batch-limit.")
            .aliasOf("compaction-batch-limit"));
    /** {@code --compaction-batch-limit}: revisions deleted per compaction batch (0: the default 1000). */
    public static final FlagDefinition COMPACTION_BATCH_LIMIT = add(impl(Section.EXPERIMENTAL, Component.STORAGE,
            "compaction-batch-limit", INT, "1000", "Revisions deleted per compaction batch (0: the default 1000)."));
    /** {@code --experimental-watch-progress-notify-interval}: etcd 3.5 spelling of {@code --watch-progress-notify-interval}. */
    public static final FlagDefinition EXPERIMENTAL_WATCH_PROGRESS_NOTIFY_INTERVAL = add(impl(Section.EXPERIMENTAL, Component.WATCH,
            "experimental-watch-progress-notify-interval", DURATION, "10m0s", "Old spelling of --watch-progress-notify-interval.")
            .aliasOf("watch-progress-notify-interval"));
    /** {@code --watch-progress-notify-interval}: interval of progress notifications to idle watchers (0: the default 10m). */
    public static final FlagDefinition WATCH_PROGRESS_NOTIFY_INTERVAL = add(impl(Section.EXPERIMENTAL, Component.WATCH,
            "watch-progress-notify-interval", DURATION, "10m0s",
            "Interval of progress notifications to watchers that asked for them (0: the default 10m)."));
    static {
        add(todo(Section.EXPERIMENTAL, Component.LOGGING, "experimental-warning-apply-duration", DURATION, "100ms",
                "Old spelling of --warning-apply-duration.").aliasOf("warning-apply-duration"));
        add(todo(Section.EXPERIMENTAL, Component.LOGGING, "warning-apply-duration", DURATION, "100ms",
                "Log a warning when applying an entry takes longer than this."));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-txn-mode-write-with-shared-buffer", BOOL, "true",
                "Let write transactions share the read buffer (etcd 3.6: a feature gate).")
                .deprecated("--experimental-txn-mode-write-with-shared-buffer is deprecated in etcd v3.6; use --feature-gates=TxnModeWriteWithSharedBuffer=true instead"));
        add(todo(Section.EXPERIMENTAL, Component.STORAGE, "experimental-bootstrap-defrag-threshold-megabytes", UINT, "0",
                "Old spelling of --bootstrap-defrag-threshold-megabytes.").aliasOf("bootstrap-defrag-threshold-megabytes"));
        add(todo(Section.EXPERIMENTAL, Component.STORAGE, "bootstrap-defrag-threshold-megabytes", UINT, "0",
                "Defragment at boot when that frees at least this many megabytes (0: never)."));
        add(todo(Section.EXPERIMENTAL, Component.CLUSTER, "max-learners", INT, "1", "Most learner members allowed."));
        add(impl(Section.EXPERIMENTAL, Component.RAFT, "experimental-snapshot-catchup-entries", UINT, "5000",
                "Old spelling of --snapshot-catchup-entries.").aliasOf("snapshot-catchup-entries"));
        add(impl(Section.EXPERIMENTAL, Component.RAFT, "snapshot-catchup-entries", UINT, "5000",
                "Entries kept after a snapshot for slow followers to catch up from."));
        add(todo(Section.EXPERIMENTAL, Component.STORAGE, "experimental-compaction-sleep-interval", DURATION, "0s",
                "Old spelling of --compaction-sleep-interval.").aliasOf("compaction-sleep-interval"));
        add(todo(Section.EXPERIMENTAL, Component.STORAGE, "compaction-sleep-interval", DURATION, "0s",
                "Pause between compaction batches (0: the default 10ms)."));
        add(todo(Section.EXPERIMENTAL, Component.CLUSTER, "experimental-downgrade-check-time", DURATION, "5s",
                "Old spelling of --downgrade-check-time.").aliasOf("downgrade-check-time"));
        add(todo(Section.EXPERIMENTAL, Component.CLUSTER, "downgrade-check-time", DURATION, "5s",
                "Interval between two downgrade status checks."));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-enable-lease-checkpoint-persist", BOOL, "false",
                "Persist checkpointed lease TTLs (etcd 3.6: a feature gate).")
                .deprecated("--experimental-enable-lease-checkpoint-persist is deprecated in etcd v3.6; use --feature-gates=LeaseCheckpointPersist=true instead"));
        add(todo(Section.EXPERIMENTAL, Component.STORAGE, "experimental-memory-mlock", BOOL, "false",
                "Old spelling of --memory-mlock.").aliasOf("memory-mlock"));
        add(todo(Section.EXPERIMENTAL, Component.FEATURES, "experimental-stop-grpc-service-on-defrag", BOOL, "false",
                "Stop serving clients during defragmentation (etcd 3.6: a feature gate).")
                .deprecated("--experimental-stop-grpc-service-on-defrag is deprecated in etcd v3.6; use --feature-gates=StopGRPCServiceOnDefrag=true instead"));
    }

    // ---------------------------------------------------------------- Unsafe
    static {
        add(todo(Section.UNSAFE, Component.UNSAFE, "force-new-cluster", BOOL, "false",
                "Restart as a one-member cluster, dropping all other members (disaster recovery)."));
        add(todo(Section.UNSAFE, Component.UNSAFE, "unsafe-no-fsync", BOOL, "false", "Never fsync: data is lost on a crash."));
    }

    // -------------------------------------------------------------- Etcetera
    /**
     * {@code --payara-http-port}: Payara Micro's own HTTP listener, bound to 127.0.0.1 behind the
     * client URLs; defaults to the lowest {@code --listen-client-urls} port + 10000.
     */
    public static final FlagDefinition PAYARA_HTTP_PORT = add(new FlagDefinition("payara-http-port", PORT,
            new Derived("<lowest --listen-client-urls port + 10000>", v -> Integer.toString(lowestPort(v.get("listen-client-urls")) + 10000)),
            "Port of Payara Micro's own HTTP listener on 127.0.0.1.", true, Component.PAYARA, Section.ETCETERA, null, null));
    /**
     * {@code --payara-hazelcast-port}: the port of Payara Micro's embedded Hazelcast (which it starts
     * even without clustering); defaults to the lowest {@code --listen-client-urls} port + 20000.
     */
    public static final FlagDefinition PAYARA_HAZELCAST_PORT = add(new FlagDefinition("payara-hazelcast-port", PORT,
            new Derived("<lowest --listen-client-urls port + 20000>", v -> Integer.toString(lowestPort(v.get("listen-client-urls")) + 20000)),
            "Port of Payara Micro's embedded Hazelcast.", true, Component.PAYARA, Section.ETCETERA, null, null));

    /**
     * {@code --journal-max-pending-bytes}: back-pressure of the member's journal: appends accepted
     * but not yet fsynced may hold this many bytes; further appends wait for the next fsync.
     */
    public static final FlagDefinition JOURNAL_MAX_PENDING_BYTES = add(impl(Section.ETCETERA, Component.STORAGE,
            "journal-max-pending-bytes", UINT, "67108864",
            "Bytes of journal appends accepted ahead of the fsync before further appends wait (>= 4096)."));

    // -------------------------------------------------------------- Obsolete
    static {
        for (String name : List.of("cluster-active-size", "cluster-remove-delay", "cluster-sync-interval", "config", "force",
                "max-result-buffer", "max-retry-attempts", "peer-heartbeat-interval", "peer-election-timeout",
                "retry-interval", "snapshot", "v", "vv")) {
            add(new FlagDefinition(name, new ValueKind.Obsolete(), new Fixed(""), "No longer supported; ignored.",
                    false, Component.NONE, Section.OBSOLETE, null, null));
        }
    }

    private static final List<FlagDefinition> FLAGS = Collections.unmodifiableList(ALL);
    private static final Map<String, FlagDefinition> BY_NAME;

    static {
        Map<String, FlagDefinition> byName = new LinkedHashMap<>();
        for (FlagDefinition d : FLAGS) {
            if (byName.put(d.name(), d) != null) {
                throw new ExceptionInInitializerError("flag defined twice: " + d.name());
            }
        }
        for (FlagDefinition d : FLAGS) {
            if (d.replacedBy() != null && !byName.containsKey(d.replacedBy())) {
                throw new ExceptionInInitializerError(d.name() + " replaced by unknown flag " + d.replacedBy());
            }
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private FlagTable() {
    }

    /** All flags, in help order (obsolete ones last). */
    public static List<FlagDefinition> all() {
        return FLAGS;
    }

    /** The flag with this name (no dashes). */
    public static Optional<FlagDefinition> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The flag with this name; for names known to exist. */
    static FlagDefinition get(String name) {
        FlagDefinition d = BY_NAME.get(name);
        if (d == null) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        return d;
    }

    private static FlagDefinition add(FlagDefinition d) {
        ALL.add(d);
        return d;
    }

    private static FlagDefinition impl(Section section, Component component, String name, ValueKind kind, String dflt, String description) {
        return new FlagDefinition(name, kind, new Fixed(kind.canonical(dflt)), description, true, component, section, null, null);
    }

    private static FlagDefinition todo(Section section, Component component, String name, ValueKind kind, String dflt, String description) {
        return new FlagDefinition(name, kind, new Fixed(kind.canonical(dflt)), description, false, component, section, null, null);
    }

    private static int lowestPort(String canonicalUrls) {
        return EtcdUrl.parseList(canonicalUrls).stream().mapToInt(EtcdUrl::port).min().orElse(2379);
    }
}
