package dev.etcetera.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * etcd's initial-cluster notation, {@code name=url,name=url,...} (a member with several peer URLs
 * repeats its name), as its {@code types.NewURLsMap} reads it: empty elements are skipped, each
 * member's URLs are sorted, duplicates are kept so that validation can report them.
 */
public final class InitialCluster {
    private InitialCluster() {
    }

    /**
     * Parses the notation into an unmodifiable map sorted by member name, each value an unmodifiable
     * list of URLs sorted by string form.
     *
     * @throws IllegalArgumentException naming the bad element
     */
    public static SortedMap<String, List<EtcdUrl>> parse(String text) {
        TreeMap<String, List<EtcdUrl>> members = new TreeMap<>();
        for (String element : text.split(",", -1)) {
            if (element.isEmpty()) {
                continue;
            }
            int eq = element.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("\"" + element + "\" is not of the form name=url");
            }
            String name = element.substring(0, eq);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("\"" + element + "\" has an empty member name");
            }
            members.computeIfAbsent(name, n -> new ArrayList<>()).add(EtcdUrl.parse(element.substring(eq + 1)));
        }
        TreeMap<String, List<EtcdUrl>> sorted = new TreeMap<>();
        members.forEach((name, urls) -> {
            List<EtcdUrl> copy = new ArrayList<>(urls);
            Collections.sort(copy);
            sorted.put(name, List.copyOf(copy));
        });
        return Collections.unmodifiableSortedMap(sorted);
    }

    /** Canonical text: {@code name=url} pairs sorted as strings, as etcd's URLsMap.String(). */
    public static String format(Map<String, List<EtcdUrl>> members) {
        List<String> pairs = new ArrayList<>();
        members.forEach((name, urls) -> urls.forEach(url -> pairs.add(name + "=" + url)));
        Collections.sort(pairs);
        return String.join(",", pairs);
    }

    /** The notation for one member with the given peer URLs (etcd's InitialClusterFromName). */
    public static String of(String name, List<EtcdUrl> peerUrls) {
        List<String> pairs = new ArrayList<>();
        for (EtcdUrl url : peerUrls) {
            pairs.add(name + "=" + url);
        }
        return String.join(",", pairs);
    }
}
