package dev.etcetera.config;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One etcd (or Etcetera) command-line flag: the single definition from which parsing, the
 * {@code ETCD_*} environment name, the {@code etcetera.*} property key, the help text and the
 * not-implemented warning are all derived.
 *
 * @param name         the flag name without dashes, as etcd spells it ("listen-client-urls")
 * @param kind         the type of its value
 * @param defaultValue the value used when neither the command line nor the environment sets it
 * @param description  one line for the help text
 * @param implemented  false while Etcetera accepts the flag but does not act on it yet (a warning is
 *                     printed when it is set); later issues flip it to true and consume the value in
 *                     a typed record
 * @param component    which typed record consumes the value (or will, once implemented)
 * @param section      the help section, in etcd's grouping
 * @param deprecation  a warning printed when the flag is set explicitly (etcd 3.6 deprecations), or null
 * @param replacedBy   for etcd 3.6's {@code experimental-*} spellings: the flag this one is an alias of
 *                     (the value is carried over; setting both is an error, as in etcd), or null
 */
public record FlagDefinition(String name, ValueKind kind, DefaultValue defaultValue, String description,
                             boolean implemented, Component component, Section section, String deprecation,
                             String replacedBy) {

    public FlagDefinition {
        Objects.requireNonNull(name);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(defaultValue);
        Objects.requireNonNull(description);
        Objects.requireNonNull(component);
        Objects.requireNonNull(section);
    }

    /** The {@code ETCD_*} environment variable etcd reads for this flag ({@code ETCD_LISTEN_CLIENT_URLS}). */
    public String envName() {
        return "ETCD_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** The property key the launcher emits and the member reads ({@code etcetera.listen-client-urls}). */
    public String propertyKey() {
        return EtcdConfig.PROPERTY_PREFIX + name;
    }

    /** Obsolete etcd flags are accepted and ignored; they have no value and no property. */
    public boolean obsolete() {
        return kind instanceof ValueKind.Obsolete;
    }

    FlagDefinition deprecated(String message) {
        return new FlagDefinition(name, kind, defaultValue, description, implemented, component, section, message, replacedBy);
    }

    FlagDefinition aliasOf(String target) {
        return new FlagDefinition(name, kind, defaultValue, description, implemented, component, section,
                "--" + name + " is deprecated in etcd v3.6; use --" + target + " instead", target);
    }

    /** Which typed record a flag feeds. */
    public enum Component {
        MEMBER, CLUSTER, RAFT, STORAGE, LIMITS, LOGGING, WATCH, PAYARA,
        // not implemented yet: the records these will feed do not exist yet
        BACKEND, GRPC, DISCOVERY, TLS, AUTH, MONITORING, TRACING, FEATURES, UNSAFE, LAUNCHER, NONE
    }

    /** Help sections, in etcd's order. */
    public enum Section {
        MEMBER("Member"), CLUSTERING("Clustering"), SECURITY("Security"), AUTH("Auth"),
        MONITORING("Profiling and Monitoring"), LOGGING("Logging"), TRACING("Distributed tracing"),
        EXPERIMENTAL("Experimental features"), UNSAFE("Unsafe features"), ETCETERA("Etcetera"),
        OBSOLETE("Obsolete (accepted and ignored, as etcd does)");

        private final String title;

        Section(String title) {
            this.title = title;
        }

        public String title() {
            return title;
        }
    }

    /** A flag's default: a fixed text, or one derived from other (non-derived) flags' values. */
    public sealed interface DefaultValue {
        /** How the help text shows the default. */
        String shown();
    }

    /** A fixed default, already in canonical form. */
    public record Fixed(String text) implements DefaultValue {
        @Override
        public String shown() {
            return text;
        }
    }

    /**
     * A default computed from the resolved values of other flags; those flags must have fixed
     * defaults (so resolution needs one pass).
     *
     * @param shown   how the help text describes it ("${name}.etcetera")
     * @param compute from the canonical values of the other flags to this flag's raw default
     */
    public record Derived(String shown, Function<Map<String, String>, String> compute) implements DefaultValue {
    }
}
