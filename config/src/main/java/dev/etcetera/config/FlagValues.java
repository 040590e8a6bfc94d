package dev.etcetera.config;

import dev.etcetera.config.FlagDefinition.Derived;
import dev.etcetera.config.FlagDefinition.Fixed;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The canonical value of every (non-obsolete) flag after defaults are applied: what
 * {@link EtcdConfig#toProperties()} emits and what the typed records are read from.
 *
 * <p>Resolution order: explicitly set values; an {@code experimental-*} alias carries its value to
 * the flag that replaced it; fixed defaults; then derived defaults ({@code --data-dir},
 * {@code --initial-cluster}, the Payara ports), which read only flags with fixed defaults. Finally
 * every alias shows the value of the flag it stands for, so both keys agree.
 *
 * <p>Immutable; {@link #equals} compares all values.
 *
 * @param values   flag name to canonical value, in {@link FlagTable} order
 * @param explicit names of the flags that were set rather than defaulted
 */
public record FlagValues(Map<String, String> values, Set<String> explicit) {

    public FlagValues {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        explicit = Collections.unmodifiableSet(new LinkedHashSet<>(explicit));
    }

    /**
     * Applies defaults to the explicitly set, already canonical values.
     *
     * @throws ConfigException when an alias and its replacement disagree, when a derived default is
     *                         not a valid value, or when --listen-client-urls is set without
     *                         --advertise-client-urls (etcd's rule)
     */
    static FlagValues resolve(Map<String, String> explicitValues) throws ConfigException {
        Map<String, String> set = new LinkedHashMap<>(explicitValues);
        for (FlagDefinition flag : FlagTable.all()) {
            String alias = set.get(flag.name());
            if (flag.replacedBy() == null || alias == null) {
                continue;
            }
            String target = set.get(flag.replacedBy());
            if (target == null) {
                set.put(flag.replacedBy(), alias);
            } else if (!target.equals(alias)) {
                throw new ConfigException(flag.replacedBy(), "cannot set --" + flag.name() + " and --" + flag.replacedBy()
                        + " at the same time, please use --" + flag.replacedBy() + " only");
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.obsolete()) {
                continue;
            }
            if (set.containsKey(flag.name())) {
                values.put(flag.name(), set.get(flag.name()));
            } else if (flag.defaultValue() instanceof Fixed fixed) {
                values.put(flag.name(), fixed.text());
            }
        }
        for (FlagDefinition flag : FlagTable.all()) {
            if (!values.containsKey(flag.name()) && flag.defaultValue() instanceof Derived derived) {
                String raw = derived.compute().apply(Collections.unmodifiableMap(values));
                try {
                    values.put(flag.name(), flag.kind().canonical(raw));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(flag.name(), "invalid value " + CommandLine.quote(raw) + " for flag --" + flag.name()
                            + ": " + e.getMessage() + "; its default is " + derived.shown() + ", set --" + flag.name() + " explicitly");
                }
            }
        }
        for (FlagDefinition flag : FlagTable.all()) {
            if (flag.replacedBy() != null) {
                values.put(flag.name(), values.get(flag.replacedBy()));
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (FlagDefinition flag : FlagTable.all()) {
            if (values.containsKey(flag.name())) {
                ordered.put(flag.name(), values.get(flag.name()));
            }
        }
        if (set.containsKey(FlagTable.LISTEN_CLIENT_URLS.name()) && !set.containsKey(FlagTable.ADVERTISE_CLIENT_URLS.name())) {
            throw new ConfigException(FlagTable.ADVERTISE_CLIENT_URLS.name(),
                    "--advertise-client-urls is required when --listen-client-urls is set explicitly");
        }
        return new FlagValues(ordered, set.keySet());
    }

    /** The canonical text of a flag. */
    public String text(FlagDefinition flag) {
        String v = values.get(flag.name());
        if (v == null) {
            throw new IllegalArgumentException("no value for --" + flag.name());
        }
        return v;
    }

    /** True if the user set the flag (directly or through its alias). */
    public boolean isExplicit(FlagDefinition flag) {
        return explicit.contains(flag.name());
    }

    boolean bool(FlagDefinition flag) {
        return Boolean.parseBoolean(text(flag));
    }

    long number(FlagDefinition flag) {
        return Long.parseLong(text(flag));
    }

    int port(FlagDefinition flag) {
        return Integer.parseInt(text(flag));
    }

    Duration duration(FlagDefinition flag) {
        return GoDuration.parse(text(flag));
    }

    List<EtcdUrl> urls(FlagDefinition flag) {
        return EtcdUrl.parseList(text(flag));
    }

    SortedMap<String, List<EtcdUrl>> cluster(FlagDefinition flag) {
        return InitialCluster.parse(text(flag));
    }
}
