package dev.etcetera.config;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The type of an etcd flag's value: how its text is checked and brought to one canonical form.
 *
 * <p>Contract of {@link #canonical(String)}: it accepts what etcd's Go flag type accepts for the
 * flag (decimal only for numbers), returns the canonical text (what {@code toProperties()} emits),
 * is idempotent ({@code canonical(canonical(x)).equals(canonical(x))}), and throws
 * {@link IllegalArgumentException} whose message is the reason only ("not an integer"); the caller
 * adds which flag and value were wrong.
 */
public sealed interface ValueKind {

    /** Checks {@code raw} and returns its canonical text. */
    String canonical(String raw);

    /** Go's bool flags: given without a value they mean true, and never take the next argument. */
    default boolean isBoolean() {
        return false;
    }

    /** Short name of the type for the help text. */
    String typeName();

    /** Free text. */
    record Text() implements ValueKind {
        @Override
        public String canonical(String raw) {
            return raw;
        }

        @Override
        public String typeName() {
            return "string";
        }
    }

    /** Go's {@code strconv.ParseBool} spellings; canonical "true"/"false". */
    record Bool() implements ValueKind {
        @Override
        public String canonical(String raw) {
            return switch (raw) {
                case "1", "t", "T", "true", "TRUE", "True" -> "true";
                case "0", "f", "F", "false", "FALSE", "False" -> "false";
                default -> throw new IllegalArgumentException("not a boolean (use true or false)");
            };
        }

        @Override
        public boolean isBoolean() {
            return true;
        }

        @Override
        public String typeName() {
            return "bool";
        }
    }

    /** A decimal integer in {@code [min, max]}; Go's uint flags are {@code min = 0}. */
    record Int(long min, long max) implements ValueKind {
        static Int unsigned() {
            return new Int(0, Long.MAX_VALUE);
        }

        static Int signed() {
            return new Int(Long.MIN_VALUE, Long.MAX_VALUE);
        }

        /**
         * Go's {@code strconv.ParseInt(s, 0, 64)}, which etcd's integer flags use: decimal, or with a
         * 0x / 0o / 0b prefix, or a leading 0 for octal ("010" is 8, as in etcd); '_' may separate digits.
         */
        @Override
        public String canonical(String raw) {
            String s = raw.strip();
            boolean negative = s.startsWith("-");
            String body = negative || s.startsWith("+") ? s.substring(1) : s;
            if (body.startsWith("_") || body.endsWith("_") || body.contains("__")) {
                throw new IllegalArgumentException("not an integer");
            }
            body = body.replace("_", "");
            int radix = 10;
            String lower = body.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("0x")) {
                radix = 16;
                body = body.substring(2);
            } else if (lower.startsWith("0o")) {
                radix = 8;
                body = body.substring(2);
            } else if (lower.startsWith("0b")) {
                radix = 2;
                body = body.substring(2);
            } else if (body.length() > 1 && body.startsWith("0")) {
                radix = 8;
                body = body.substring(1);
            }
            final int r = radix;
            if (body.isEmpty() || !body.chars().allMatch(c -> Character.digit(c, r) >= 0)) {
                throw new IllegalArgumentException("not an integer");
            }
            java.math.BigInteger value = new java.math.BigInteger(body, radix);
            if (negative) {
                value = value.negate();
            }
            if (value.signum() < 0 && min >= 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            if (value.compareTo(java.math.BigInteger.valueOf(min)) < 0 || value.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
                throw new IllegalArgumentException("out of range (" + min + " to " + max + ")");
            }
            return value.toString();
        }

        @Override
        public String typeName() {
            return min >= 0 ? "uint" : "int";
        }
    }

    /** A TCP port, 1..65535. */
    record Port() implements ValueKind {
        @Override
        public String canonical(String raw) {
            String s = raw.strip();
            if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException(s.startsWith("-") ? "not a valid port (1-65535)" : "not an integer");
            }
            if (s.length() > 5 || Integer.parseInt(s) < 1 || Integer.parseInt(s) > 65535) {
                throw new IllegalArgumentException("not a valid port (1-65535)");
            }
            return Integer.toString(Integer.parseInt(s));
        }

        @Override
        public String typeName() {
            return "port";
        }
    }

    /** Go duration text ("100ms", "5m"); negative durations are refused. Canonical: Go's String(). */
    record GoDurationKind() implements ValueKind {
        @Override
        public String canonical(String raw) {
            java.time.Duration d = GoDuration.parse(raw.strip());
            if (d.isNegative()) {
                throw new IllegalArgumentException("must not be negative");
            }
            return GoDuration.format(d);
        }

        @Override
        public String typeName() {
            return "duration";
        }
    }

    /**
     * A comma-separated URL list, de-duplicated and sorted as etcd does.
     *
     * @param bind true for listen URLs: the host must be an IP address or "localhost" (etcd's
     *             {@code checkBindURLs})
     */
    record Urls(boolean bind) implements ValueKind {
        @Override
        public String canonical(String raw) {
            List<EtcdUrl> urls = EtcdUrl.parseList(raw);
            if (bind) {
                for (EtcdUrl url : urls) {
                    if (!url.bindable()) {
                        throw new IllegalArgumentException("expected IP in URL for binding (" + url + ")");
                    }
                }
            }
            return EtcdUrl.format(urls);
        }

        @Override
        public String typeName() {
            return "urls";
        }
    }

    /** {@code --initial-cluster}: {@code name=url,name=url,...}; canonical: sorted pairs. */
    record Cluster() implements ValueKind {
        @Override
        public String canonical(String raw) {
            return InitialCluster.format(InitialCluster.parse(raw));
        }

        @Override
        public String typeName() {
            return "name=url,...";
        }
    }

    /** One of a fixed set of words (Go's SelectiveStringValue). */
    record Choice(List<String> values) implements ValueKind {
        public Choice {
            values = List.copyOf(values);
        }

        @Override
        public String canonical(String raw) {
            if (!values.contains(raw)) {
                throw new IllegalArgumentException("valid values are " + String.join(", ", values));
            }
            return raw;
        }

        @Override
        public String typeName() {
            return String.join("|", values);
        }
    }

    /** A comma-separated list of words, kept as given. */
    record Words() implements ValueKind {
        @Override
        public String canonical(String raw) {
            return raw;
        }

        @Override
        public String typeName() {
            return "list";
        }
    }

    /** etcd's {@code --feature-gates}: {@code Name=true,Other=false} over etcd 3.6's known gates. */
    record FeatureGates(List<String> known) implements ValueKind {
        public FeatureGates {
            known = List.copyOf(known);
        }

        @Override
        public String canonical(String raw) {
            Map<String, String> gates = new TreeMap<>();
            for (String part : raw.split(",", -1)) {
                String item = part.strip();
                if (item.isEmpty()) {
                    continue;
                }
                int eq = item.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("missing bool value for " + item);
                }
                String name = item.substring(0, eq).strip();
                if (!known.contains(name)) {
                    throw new IllegalArgumentException("unrecognized feature gate: " + name);
                }
                String value;
                try {
                    value = new Bool().canonical(item.substring(eq + 1).strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("invalid value of " + item + ": not a boolean");
                }
                gates.put(name, value);
            }
            StringBuilder out = new StringBuilder();
            gates.forEach((k, v) -> out.append(out.isEmpty() ? "" : ",").append(k).append('=').append(v));
            return out.toString();
        }

        @Override
        public String typeName() {
            return "Gate=bool,...";
        }
    }

    /**
     * A flag etcd still accepts only for compatibility with old command lines and ignores; like
     * etcd's IgnoredFlag it takes no value (but tolerates {@code =anything}).
     */
    record Obsolete() implements ValueKind {
        @Override
        public String canonical(String raw) {
            return raw;
        }

        @Override
        public boolean isBoolean() {
            return true;
        }

        @Override
        public String typeName() {
            return "ignored";
        }
    }
}
