package dev.etcetera.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How the cluster is bootstrapped. These settings matter only when a member starts without data;
 * afterwards the membership lives in the replicated state.
 *
 * @param initialCluster {@code --initial-cluster} (default {@code ${name}=${initial-advertise-peer-urls}}):
 *                       member name to its sorted peer URLs, sorted by name
 * @param token          {@code --initial-cluster-token} (default {@code etcd-cluster}): hashed into
 *                       every initial member ID, so that two clusters with the same peer URLs differ
 * @param state          {@code --initial-cluster-state} (default {@code new})
 */
public record ClusterConfig(SortedMap<String, List<EtcdUrl>> initialCluster, String token, State state) {

    /** {@code --initial-cluster-state}. */
    public enum State {
        /** Bootstrap a new cluster from {@code --initial-cluster}. */
        NEW,
        /** Join a cluster that already runs and already lists this member (added with MemberAdd). */
        EXISTING;

        /** The flag's spelling: "new" or "existing". */
        public String flagValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public ClusterConfig {
        TreeMap<String, List<EtcdUrl>> copy = new TreeMap<>();
        initialCluster.forEach((name, urls) -> copy.put(name, List.copyOf(urls)));
        initialCluster = Collections.unmodifiableSortedMap(copy);
    }

    static ClusterConfig from(FlagValues v) {
        return new ClusterConfig(v.cluster(FlagTable.INITIAL_CLUSTER), v.text(FlagTable.INITIAL_CLUSTER_TOKEN),
                State.valueOf(v.text(FlagTable.INITIAL_CLUSTER_STATE).toUpperCase(Locale.ROOT)));
    }

    /**
     * Checks the membership on its own: not empty, no URL given twice, no https (TLS is not
     * implemented yet). That this member is in it is checked by {@link #validateFor(MemberConfig)}.
     *
     * @throws ConfigException naming --initial-cluster
     */
    public void validate() throws ConfigException {
        String flag = FlagTable.INITIAL_CLUSTER.name();
        if (initialCluster.isEmpty()) {
            throw new ConfigException(flag, "initial cluster unset and no discovery URL found (set --initial-cluster)");
        }
        Set<String> seen = new HashSet<>();
        for (List<EtcdUrl> urls : initialCluster.values()) {
            for (EtcdUrl url : urls) {
                if (!seen.add(url.toString())) {
                    throw new ConfigException(flag, "--initial-cluster " + InitialCluster.format(initialCluster) + " has duplicate url " + url);
                }
                if (url.secure()) {
                    throw new ConfigException(flag, "--initial-cluster " + url + ": https is not supported yet (TLS is not implemented)");
                }
            }
        }
    }

    /**
     * etcd's bootstrap checks ({@code ServerConfig.VerifyBootstrap}) for this member: its name must be
     * in the initial cluster with exactly its {@code --initial-advertise-peer-urls}. URLs are compared
     * as text; etcd also resolves host names before giving up, which Etcetera does not.
     *
     * @throws ConfigException with etcd's wording, naming --initial-cluster or
     *                         --initial-advertise-peer-urls
     */
    public void validateFor(MemberConfig member) throws ConfigException {
        List<EtcdUrl> listed = initialCluster.get(member.name());
        if (listed == null) {
            throw new ConfigException(FlagTable.INITIAL_CLUSTER.name(),
                    "couldn't find local name \"" + member.name() + "\" in the initial cluster configuration (--initial-cluster "
                            + InitialCluster.format(initialCluster) + ")");
        }
        List<EtcdUrl> advertised = member.initialAdvertisePeerUrls();
        List<String> missing = new ArrayList<>();
        for (EtcdUrl url : listed) {
            if (!advertised.contains(url)) {
                missing.add(member.name() + "=" + url);
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(FlagTable.INITIAL_CLUSTER.name(), "--initial-cluster has " + String.join(",", missing)
                    + " but missing from --initial-advertise-peer-urls=" + EtcdUrl.format(advertised));
        }
        for (EtcdUrl url : advertised) {
            if (!listed.contains(url)) {
                missing.add(url.toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new ConfigException(FlagTable.INITIAL_ADVERTISE_PEER_URLS.name(), "--initial-advertise-peer-urls has "
                    + String.join(",", missing) + " but missing from --initial-cluster="
                    + InitialCluster.of(member.name(), listed));
        }
    }

    /** The ID etcd gives each initial member at bootstrap, by member name (see {@link MemberIds}). */
    public Map<String, Long> initialMemberIds() {
        Map<String, Long> ids = new LinkedHashMap<>();
        initialCluster.forEach((name, urls) -> ids.put(name, MemberIds.memberId(urls, token)));
        return Collections.unmodifiableMap(ids);
    }

    /** The cluster ID etcd derives at bootstrap from the initial members' IDs. */
    public long initialClusterId() {
        return MemberIds.clusterId(initialMemberIds().values());
    }
}
