package dev.etcetera.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The flags a user set, read from the command line and the {@code ETCD_*} environment exactly as
 * etcd's Go {@code flag} package and {@code pkg/flags.SetFlagsFromEnv} read them.
 *
 * <p>Command-line syntax (Go's {@code flag} package): {@code -flag} and {@code --flag} are the same;
 * a value is given as {@code --flag=value} or {@code --flag value}; a bool flag given alone means
 * true and takes a value only as {@code --flag=false}; {@code --} ends the flags; the first argument
 * that is not a flag ends parsing, and any such argument is an error, as in etcd. A flag given twice
 * keeps the last value. {@code -h}/{@code --help} asks for help at the point it is met (later
 * arguments are not read); {@code --version} is honoured after the whole command line parsed.
 *
 * <p>Environment: a flag not on the command line is read from {@code ETCD_<FLAG_NAME>} (upper case,
 * '-' to '_') when that variable is non-empty. When both are set the command line wins and a
 * warning is collected (etcd itself refuses to start in that case). Other {@code ETCD_*} variables
 * draw an "unrecognized environment variable" warning, as in etcd.
 *
 * @param explicit         flag name to canonical value, for every flag the user set (insertion order)
 * @param helpRequested    {@code -h}/{@code --help} was given
 * @param versionRequested {@code --version} (true) was given
 * @param warnings         messages for stderr, without the "etcetera: warning: " prefix
 */
public record CommandLine(Map<String, String> explicit, boolean helpRequested, boolean versionRequested,
                          List<String> warnings) {

    /** Environment variables etcd reads itself outside the flag set; not reported as unrecognized. */
    private static final List<String> SPECIAL_ENV = List.of("ETCD_UNSUPPORTED_ARCH");

    /** etcd 3.6's experimental bool flags that became feature gates (features.ExperimentalFlagToFeatureMap). */
    private static final Map<String, String> EXPERIMENTAL_FLAG_TO_GATE = Map.of(
            "experimental-stop-grpc-service-on-defrag", "StopGRPCServiceOnDefrag",
            "experimental-initial-corrupt-check", "InitialCorruptCheck",
            "experimental-compact-hash-check-enabled", "CompactHashCheck",
            "experimental-txn-mode-write-with-shared-buffer", "TxnModeWriteWithSharedBuffer",
            "experimental-enable-lease-checkpoint", "LeaseCheckpoint",
            "experimental-enable-lease-checkpoint-persist", "LeaseCheckpointPersist");

    public CommandLine {
        explicit = Collections.unmodifiableMap(new LinkedHashMap<>(explicit));
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads {@code args} and then {@code env}.
     *
     * @throws ConfigException for an unknown flag, a missing or bad value, a stray argument, or
     *                         both spellings of a renamed flag
     */
    public static CommandLine parse(List<String> args, Map<String, String> env) throws ConfigException {
        Map<String, String> explicit = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        boolean version = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                throw new ConfigException("", quote(arg) + " is not a valid flag");
            }
            int dashes = arg.charAt(1) == '-' ? 2 : 1;
            if (dashes == 2 && arg.length() == 2) {
                if (i + 1 < args.size()) {
                    throw new ConfigException("", quote(args.get(i + 1)) + " is not a valid flag");
                }
                break;
            }
            String name = arg.substring(dashes);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                throw new ConfigException("", "bad flag syntax: " + arg);
            }
            String value = null;
            int eq = name.indexOf('=');
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (name.equals("help") || name.equals("h")) {
                return new CommandLine(explicit, true, false, warnings);
            }
            if (name.equals("version")) {
                version = value == null || bool(name, value).equals("true");
                continue;
            }
            Optional<FlagDefinition> found = FlagTable.find(name);
            if (found.isEmpty()) {
                throw new ConfigException(name, "flag provided but not defined: --" + name);
            }
            FlagDefinition flag = found.get();
            if (flag.kind().isBoolean()) {
                explicit.put(name, value == null ? "true" : canonical(flag, value, "flag --" + name));
            } else {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new ConfigException(name, "flag needs an argument: --" + name);
                    }
                    value = args.get(++i);
                }
                explicit.put(name, canonical(flag, value, "flag --" + name));
            }
        }
        if (version) {
            return new CommandLine(explicit, false, true, warnings);
        }
        Map<String, String> fromCommandLine = new LinkedHashMap<>(explicit);
        readEnvironment(env, explicit, warnings);
        checkRenamedFlags(explicit);
        for (Map.Entry<String, String> e : explicit.entrySet()) {
            FlagDefinition flag = FlagTable.get(e.getKey());
            String via = fromCommandLine.containsKey(flag.name()) ? "--" + flag.name() : flag.envName();
            if (flag.obsolete()) {
                warnings.add(via + " is no longer supported by etcd; ignoring it");
                continue;
            }
            if (flag.deprecation() != null) {
                warnings.add(flag.deprecation());
            }
            if (!flag.implemented()) {
                warnings.add("--" + flag.name() + " is accepted but not implemented yet"
                        + (via.startsWith("--") ? "" : " (set by " + via + ")"));
            }
        }
        if ("proxy".equals(explicit.get("discovery-fallback"))) {
            throw new ConfigException("discovery-fallback",
                    "v2 proxy is deprecated, and --discovery-fallback can't be configured as \"proxy\"");
        }
        return new CommandLine(explicit, false, false, warnings);
    }

    private static void readEnvironment(Map<String, String> env, Map<String, String> explicit, List<String> warnings)
            throws ConfigException {
        Map<String, String> sortedEnv = new TreeMap<>(env);
        Map<String, FlagDefinition> byEnv = new LinkedHashMap<>();
        for (FlagDefinition flag : FlagTable.all()) {
            byEnv.put(flag.envName(), flag);
        }
        Map<String, String> fromEnv = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sortedEnv.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("ETCD_")) {
                continue;
            }
            FlagDefinition flag = byEnv.get(key);
            if (flag == null) {
                if (key.equals("ETCD_VERSION")) {
                    warnings.add("cannot set special environment variable ETCD_VERSION; ignoring it");
                } else if (!SPECIAL_ENV.contains(key)) {
                    warnings.add("unrecognized environment variable " + key + "=" + e.getValue());
                }
                continue;
            }
            if (explicit.containsKey(flag.name())) {
                // etcd refuses to start rather than silently prefer one of the two (pkg/flags)
                throw new ConfigException(flag.name(), "conflicting environment variable \"" + key
                        + "\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)");
            }
            if (e.getValue().isEmpty()) {
                continue;
            }
            fromEnv.put(flag.name(), canonical(flag, e.getValue(), key + " (--" + flag.name() + ")"));
        }
        explicit.putAll(fromEnv);
    }

    /**
     * etcd 3.6 refuses an {@code experimental-*} flag together with the flag that replaced it, and an
     * experimental bool flag together with {@code --feature-gates} naming the gate it became.
     */
    private static void checkRenamedFlags(Map<String, String> explicit) throws ConfigException {
        for (String name : explicit.keySet()) {
            FlagDefinition flag = FlagTable.get(name);
            if (flag.replacedBy() != null && explicit.containsKey(flag.replacedBy())) {
                throw new ConfigException(flag.replacedBy(), "cannot set --" + name + " and --" + flag.replacedBy()
                        + " at the same time, please use --" + flag.replacedBy() + " only");
            }
        }
        Map<String, String> gates = new TreeMap<>();
        String gatesText = explicit.getOrDefault("feature-gates", "");
        for (String pair : gatesText.split(",")) {
            if (!pair.isEmpty()) {
                gates.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
            }
        }
        for (Map.Entry<String, String> e : EXPERIMENTAL_FLAG_TO_GATE.entrySet()) {
            String value = explicit.get(e.getKey());
            if (value != null && gates.containsKey(e.getValue())) {
                String gate = "--feature-gates=" + e.getValue() + "=" + gates.get(e.getValue());
                throw new ConfigException("feature-gates", "cannot specify both flags: --" + e.getKey() + "=" + value
                        + " and " + gate + " at the same time, please just use " + gate);
            }
        }
    }

    /** Checks one value; {@code where} says where it came from ("flag --x", "ETCD_X (--x)"). */
    static String canonical(FlagDefinition flag, String raw, String where) throws ConfigException {
        if (raw.indexOf('\n') >= 0 || raw.indexOf('\r') >= 0) {
            throw new ConfigException(flag.name(), "invalid value " + quote(raw) + " for " + where + ": must not contain a line break");
        }
        try {
            return flag.kind().canonical(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(flag.name(), "invalid value " + quote(raw) + " for " + where + ": " + e.getMessage());
        }
    }

    private static String bool(String name, String value) throws ConfigException {
        try {
            return new ValueKind.Bool().canonical(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(name, "invalid boolean value " + quote(value) + " for --" + name + ": " + e.getMessage());
        }
    }

    /** Go's %q for the characters that matter in a terminal message. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\x%02x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
