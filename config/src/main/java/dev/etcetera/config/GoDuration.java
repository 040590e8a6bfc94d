package dev.etcetera.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;

/**
 * Go's {@code time.Duration} text form, which etcd's duration flags use: parsing as Go's
 * {@code time.ParseDuration} does ("1h30m", "1.5s", "100ms", "0") and formatting as
 * {@code Duration.String()} does ("1h30m0s", "1.5s", "100ms", "0s"), so a value printed by us reads
 * back to the same duration in etcd and in Etcetera.
 */
final class GoDuration {
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /**
     * Parses Go duration syntax: an optional sign, then one or more decimal numbers each followed by
     * a unit (ns, us, µs, ms, s, m, h); a bare "0" is allowed.
     *
     * @throws IllegalArgumentException with a reason when the text is not a Go duration
     */
    static Duration parse(String text) {
        String s = text;
        if (s.isEmpty()) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 10s, 5m, 1h30m)");
        }
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("not a duration (examples: 500ms, 10s, 5m, 1h30m)");
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(start, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("not a duration (examples: 500ms, 10s, 5m, 1h30m)");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("missing unit in duration (use ns, us, ms, s, m or h)");
                default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration (use ns, us, ms, s, m or h)");
            };
            String plain = number.endsWith(".") ? number.substring(0, number.length() - 1) : number;
            if (plain.startsWith(".")) {
                plain = "0" + plain;
            }
            totalNanos = totalNanos.add(new BigDecimal(plain).multiply(BigDecimal.valueOf(unitNanos)));
        }
        BigInteger nanos = totalNanos.toBigInteger();
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("duration out of range");
        }
        long n = nanos.longValueExact();
        return Duration.ofNanos(negative ? -n : n);
    }

    /** Formats like Go's {@code Duration.String()}: "0s", "1.5µs", "100ms", "10m0s", "2h0m0s". */
    static String format(Duration d) {
        long nanos = d.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        if (nanos < 0) {
            out.append('-');
            nanos = -nanos;
        }
        if (nanos < 1_000_000_000L) {
            // Sub-second values use the largest unit that keeps an integer part: ns, µs or ms.
            if (nanos < 1_000L) {
                return out.append(nanos).append("ns").toString();
            }
            if (nanos < 1_000_000L) {
                return out.append(fraction(nanos, 1_000L)).append("µs").toString();
            }
            return out.append(fraction(nanos, 1_000_000L)).append("ms").toString();
        }
        long hours = nanos / 3_600_000_000_000L;
        long rest = nanos % 3_600_000_000_000L;
        long minutes = rest / 60_000_000_000L;
        long secondNanos = rest % 60_000_000_000L;
        if (hours > 0) {
            out.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(fraction(secondNanos, 1_000_000_000L)).append('s');
        return out.toString();
    }

    /** value/unit with trailing zeros of the fraction removed, as Go prints it. */
    private static String fraction(long value, long unit) {
        long whole = value / unit;
        long frac = value % unit;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String digits = Long.toString(unit + frac).substring(1);
        int end = digits.length();
        while (end > 0 && digits.charAt(end - 1) == '0') {
            end--;
        }
        return whole + "." + digits.substring(0, end);
    }
}
