package dev.etcetera.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * A member's whole configuration: every etcd flag resolved and validated, with typed records for
 * the implemented ones.
 *
 * <p>Two ways in, one way out. The launcher calls {@link #parse} on the command line and the
 * environment, then hands {@link #toProperties()} to the member JVM as system properties; the
 * member calls {@link #fromProperties} on its MicroProfile Config, which reads the same keys and
 * validates again. {@code fromProperties(toProperties()::get)} equals the original.
 *
 * <p>Property keys are {@code etcetera.<flag-name>} for every flag of {@link FlagTable} except the
 * obsolete ones, defaults included; values are the canonical text of {@link ValueKind}.
 *
 * <p>Immutable. Equality compares the resolved flag values (the records are functions of them);
 * warnings are not part of it.
 */
public final class EtcdConfig {
    /** Prefix of every property key. */
    public static final String PROPERTY_PREFIX = "etcetera.";

    private final FlagValues values;
    private final MemberConfig member;
    private final ClusterConfig cluster;
    private final RaftConfig raft;
    private final StorageConfig storage;
    private final LimitsConfig limits;
    private final LoggingConfig logging;
    private final WatchConfig watch;
    private final PayaraConfig payara;
    private final List<String> warnings;

    private EtcdConfig(FlagValues values, List<String> warnings) throws ConfigException {
        this.values = values;
        this.member = MemberConfig.from(values);
        this.cluster = ClusterConfig.from(values);
        this.raft = RaftConfig.from(values);
        this.storage = StorageConfig.from(values);
        this.limits = LimitsConfig.from(values);
        this.logging = LoggingConfig.from(values);
        this.watch = WatchConfig.from(values);
        this.payara = PayaraConfig.from(values);
        List<String> all = new ArrayList<>(warnings);
        validate(all);
        this.warnings = List.copyOf(all);
    }

    /**
     * Reads etcd's command line and {@code ETCD_*} environment (see {@link CommandLine} for the
     * syntax), applies defaults and validates.
     *
     * @param args the arguments after the program name
     * @param env  the process environment (only {@code ETCD_*} entries are read)
     * @throws ConfigException for any unusable setting, naming the flag; also when {@code --help} or
     *                         {@code --version} was given (flag "help"/"version"), which
     *                         {@link LaunchPlan} handles before calling this
     */
    public static EtcdConfig parse(List<String> args, Map<String, String> env) throws ConfigException {
        return of(CommandLine.parse(args, env));
    }

    /** Builds the configuration from an already parsed command line (help/version refused as in {@link #parse}). */
    static EtcdConfig of(CommandLine line) throws ConfigException {
        if (line.helpRequested()) {
            throw new ConfigException("help", "--help requested: no configuration to build");
        }
        if (line.versionRequested()) {
            throw new ConfigException("version", "--version requested: no configuration to build");
        }
        return new EtcdConfig(FlagValues.resolve(line.explicit()), line.warnings());
    }

    /**
     * The member side: reads every {@code etcetera.<flag>} key through {@code lookup}; a missing key
     * takes the flag's default. Values are checked as strictly as on the command line.
     *
     * <p>The lookup must tell a key set to the empty string from a missing one and return
     * {@code Optional.of("")} for it: some flags may legitimately be empty where their default is not
     * ({@code --initial-cluster-token=}, {@code --cors=}). {@code key -> Optional.ofNullable(System.getProperty(key))}
     * does; MicroProfile Config's {@code getOptionalValue} does not (it treats "" as missing), so
     * a MicroProfile bridge should use {@code getConfigValue(key).getRawValue()} instead.
     *
     * @throws ConfigException naming the flag (the message names the property key)
     */
    public static EtcdConfig fromProperties(Function<String, Optional<String>> lookup) throws ConfigException {
        Map<String, String> explicit = new LinkedHashMap<>();
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.obsolete()) {
                continue;
            }
            Optional<String> value = lookup.apply(flag.propertyKey());
            if (value.isPresent()) {
                explicit.put(flag.name(), CommandLine.canonical(flag, value.get(),
                        "property " + flag.propertyKey() + " (--" + flag.name() + ")"));
            }
        }
        return new EtcdConfig(FlagValues.resolve(explicit), List.of());
    }

    /** {@code etcetera.<flag-name>} to canonical value for every non-obsolete flag, in help order. */
    public Map<String, String> toProperties() {
        Map<String, String> out = new LinkedHashMap<>();
        values.values().forEach((name, value) -> out.put(PROPERTY_PREFIX + name, value));
        return Collections.unmodifiableMap(out);
    }

    // Cross-record checks after each record's own; the order decides which error a user sees first.
    private void validate(List<String> warningsOut) throws ConfigException {
        member.validate();
        cluster.validate();
        cluster.validateFor(member);
        raft.validate();
        storage.validate();
        limits.validate();
        logging.validate();
        watch.validate();
        payara.validateFor(member, values.urls(FlagTable.LISTEN_METRICS_URLS));
        if (storage.quotaBackendBytes() > StorageConfig.MAX_QUOTA_BYTES) {
            warningsOut.add("--quota-backend-bytes " + storage.quotaBackendBytes() + " exceeds the maximum recommended "
                    + StorageConfig.MAX_QUOTA_BYTES + " bytes (8 GiB)");
        }
    }

    public MemberConfig member() {
        return member;
    }

    public ClusterConfig cluster() {
        return cluster;
    }

    public RaftConfig raft() {
        return raft;
    }

    public StorageConfig storage() {
        return storage;
    }

    public LimitsConfig limits() {
        return limits;
    }

    public LoggingConfig logging() {
        return logging;
    }

    public WatchConfig watch() {
        return watch;
    }

    public PayaraConfig payara() {
        return payara;
    }

    /** All resolved values, including those of flags no record consumes yet. */
    public FlagValues values() {
        return values;
    }

    /** The canonical value of any non-obsolete flag. */
    public String value(FlagDefinition flag) {
        return values.text(flag);
    }

    /** Flag name to value for every accepted-but-not-implemented flag (for later issues to consume). */
    public Map<String, String> pending() {
        Map<String, String> out = new LinkedHashMap<>();
        for (FlagDefinition flag : FlagTable.all()) {
            if (!flag.implemented() && !flag.obsolete()) {
                out.put(flag.name(), values.text(flag));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Warnings collected while parsing (empty after {@link #fromProperties}), without prefix. */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EtcdConfig other && values.values().equals(other.values.values());
    }

    @Override
    public int hashCode() {
        return Objects.hash(values.values());
    }

    @Override
    public String toString() {
        return "EtcdConfig" + values.values();
    }
}
