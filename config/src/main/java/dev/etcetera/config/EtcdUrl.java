package dev.etcetera.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * One URL of an etcd URL-list flag ({@code --listen-client-urls}, {@code --initial-advertise-peer-urls}
 * ...): scheme, host and port, nothing else.
 *
 * <p>{@link #toString()} is exactly what Go's {@code url.URL.String()} prints for the same input
 * ({@code http://127.0.0.1:2380}, {@code http://[::1]:2380}), because etcd hashes that text into the
 * member ID (see {@link MemberIds}); hosts keep their case, the scheme is lower-cased as Go does.
 *
 * @param scheme "http" or "https"
 * @param host   an IP literal (IPv6 without brackets) or a host name; never empty
 * @param port   1..65535
 */
public record EtcdUrl(String scheme, String host, int port) implements Comparable<EtcdUrl> {

    public EtcdUrl {
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("URL scheme must be http or https: " + scheme);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** True for https. */
    public boolean secure() {
        return scheme.equals("https");
    }

    /** True when the host is an IP literal or "localhost", the only hosts etcd lets a member bind. */
    public boolean bindable() {
        return host.equals("localhost") || isIpLiteral(host);
    }

    /** host:port as a socket address string, IPv6 in brackets. */
    public String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return scheme + "://" + hostPort();
    }

    /** Orders as etcd sorts URL lists: by their string form. */
    @Override
    public int compareTo(EtcdUrl other) {
        return toString().compareTo(other.toString());
    }

    /**
     * Parses one URL as etcd's {@code types.NewURLs} accepts it for http/https: surrounding spaces
     * trimmed, {@code scheme://host:port}, no path. Query, fragment and user info are rejected too
     * (etcd would keep them in the string and then fail to listen or dial).
     *
     * @throws IllegalArgumentException with etcd's wording where etcd has one
     */
    public static EtcdUrl parse(String text) {
        String in = text.strip();
        if (in.isEmpty()) {
            throw new IllegalArgumentException("empty URL");
        }
        int sep = in.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("URL scheme must be http or https: " + in);
        }
        String scheme = in.substring(0, sep).toLowerCase(Locale.ROOT);
        if (scheme.equals("unix") || scheme.equals("unixs")) {
            throw new IllegalArgumentException("unix socket URLs are not supported by etcetera yet: " + in);
        }
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("URL scheme must be http, https, unix, or unixs: " + in);
        }
        String rest = in.substring(sep + 3);
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            throw new IllegalArgumentException("URL must not contain a path: " + in);
        }
        if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("URL must not contain a query or fragment: " + in);
        }
        if (rest.indexOf('@') >= 0) {
            throw new IllegalArgumentException("URL must not contain user information: " + in);
        }
        String host;
        String portText;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || close + 1 >= rest.length() || rest.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + in);
            }
            host = rest.substring(1, close);
            portText = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0 || rest.indexOf(':') != colon) {
                throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + in);
            }
            host = rest.substring(0, colon);
            portText = rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("URL has an empty host: " + in);
        }
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("URL port is not a number: " + in);
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("URL port out of range (1-65535): " + in);
        }
        return new EtcdUrl(scheme, host, port);
    }

    /**
     * Parses a comma-separated list as etcd's URL-list flags do: every element must be a URL, the
     * result is de-duplicated and sorted by string form. An empty text gives an empty list (etcd
     * allows "" to clear a list flag).
     */
    public static List<EtcdUrl> parseList(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        TreeSet<EtcdUrl> urls = new TreeSet<>();
        for (String part : text.split(",", -1)) {
            urls.add(parse(part));
        }
        return List.copyOf(new ArrayList<>(urls));
    }

    /** The canonical text of a list: sorted, comma-separated. */
    public static String format(List<EtcdUrl> urls) {
        StringBuilder out = new StringBuilder();
        for (EtcdUrl url : urls) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(url);
        }
        return out.toString();
    }

    private static boolean isIpLiteral(String host) {
        if (host.indexOf(':') >= 0) {
            return host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
