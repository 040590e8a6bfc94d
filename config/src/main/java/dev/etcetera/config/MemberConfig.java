package dev.etcetera.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who this member is and where it listens.
 *
 * @param name                     {@code --name} (default {@code default}): human-readable name, the key
 *                                 of this member in {@code --initial-cluster}
 * @param dataDir                  {@code --data-dir} (default {@code ${name}.etcetera}, relative to the
 *                                 working directory): journal, snapshots and database live under it
 * @param listenPeerUrls           {@code --listen-peer-urls} (default {@code http://127.0.0.1:2380}):
 *                                 where peer (Raft) traffic is accepted; IP or localhost hosts only
 * @param listenClientUrls         {@code --listen-client-urls} (default {@code http://127.0.0.1:2379}):
 *                                 where client gRPC (and HTTP/JSON, unless split off) is served
 * @param listenClientHttpUrls     {@code --listen-client-http-urls} (default empty): when non-empty,
 *                                 HTTP/JSON is served only here and the client URLs carry gRPC only
 * @param initialAdvertisePeerUrls {@code --initial-advertise-peer-urls} (default
 *                                 {@code http://127.0.0.1:2380}): this member's peer URLs as announced
 *                                 to the cluster; hashed into the member ID
 * @param advertiseClientUrls      {@code --advertise-client-urls} (default {@code http://127.0.0.1:2379}):
 *                                 this member's client URLs as announced to clients (MemberList)
 */
public record MemberConfig(String name, String dataDir, List<EtcdUrl> listenPeerUrls, List<EtcdUrl> listenClientUrls,
                           List<EtcdUrl> listenClientHttpUrls, List<EtcdUrl> initialAdvertisePeerUrls,
                           List<EtcdUrl> advertiseClientUrls) {

    public MemberConfig {
        listenPeerUrls = List.copyOf(listenPeerUrls);
        listenClientUrls = List.copyOf(listenClientUrls);
        listenClientHttpUrls = List.copyOf(listenClientHttpUrls);
        initialAdvertisePeerUrls = List.copyOf(initialAdvertisePeerUrls);
        advertiseClientUrls = List.copyOf(advertiseClientUrls);
    }

    static MemberConfig from(FlagValues v) {
        return new MemberConfig(v.text(FlagTable.NAME), v.text(FlagTable.DATA_DIR), v.urls(FlagTable.LISTEN_PEER_URLS),
                v.urls(FlagTable.LISTEN_CLIENT_URLS), v.urls(FlagTable.LISTEN_CLIENT_HTTP_URLS),
                v.urls(FlagTable.INITIAL_ADVERTISE_PEER_URLS), v.urls(FlagTable.ADVERTISE_CLIENT_URLS));
    }

    /**
     * Checks what one member's settings must satisfy on their own: a name and data dir, at least one
     * URL where one is needed, no https (TLS is not implemented yet), and no address used by two
     * listeners.
     *
     * @throws ConfigException naming the flag at fault
     */
    public void validate() throws ConfigException {
        if (name.isEmpty()) {
            throw new ConfigException(FlagTable.NAME.name(), "--name must not be empty");
        }
        if (dataDir.isEmpty()) {
            throw new ConfigException(FlagTable.DATA_DIR.name(), "--data-dir must not be empty");
        }
        nonEmpty(FlagTable.LISTEN_PEER_URLS, listenPeerUrls);
        nonEmpty(FlagTable.LISTEN_CLIENT_URLS, listenClientUrls);
        nonEmpty(FlagTable.INITIAL_ADVERTISE_PEER_URLS, initialAdvertisePeerUrls);
        nonEmpty(FlagTable.ADVERTISE_CLIENT_URLS, advertiseClientUrls);
        Map<FlagDefinition, List<EtcdUrl>> listeners = listeners();
        Map<FlagDefinition, List<EtcdUrl>> all = new LinkedHashMap<>(listeners);
        all.put(FlagTable.INITIAL_ADVERTISE_PEER_URLS, initialAdvertisePeerUrls);
        all.put(FlagTable.ADVERTISE_CLIENT_URLS, advertiseClientUrls);
        for (Map.Entry<FlagDefinition, List<EtcdUrl>> e : all.entrySet()) {
            for (EtcdUrl url : e.getValue()) {
                if (url.secure()) {
                    throw new ConfigException(e.getKey().name(), "invalid value \"" + url + "\" for flag --" + e.getKey().name()
                            + ": https is not supported yet (TLS is not implemented)");
                }
            }
        }
        Map<EtcdUrl, FlagDefinition> seen = new LinkedHashMap<>();
        for (Map.Entry<FlagDefinition, List<EtcdUrl>> e : listeners.entrySet()) {
            for (EtcdUrl url : e.getValue()) {
                for (Map.Entry<EtcdUrl, FlagDefinition> earlier : seen.entrySet()) {
                    if (earlier.getValue() != e.getKey() && sameSocket(earlier.getKey(), url)) {
                        throw new ConfigException(e.getKey().name(), "--" + e.getKey().name() + " " + url
                                + " uses the same address as --" + earlier.getValue().name() + " " + earlier.getKey());
                    }
                }
                seen.put(url, e.getKey());
            }
        }
    }

    /** Whether two listeners would bind the same port: same port and same host, a wildcard, or loopback. */
    private static boolean sameSocket(EtcdUrl a, EtcdUrl b) {
        if (a.port() != b.port()) {
            return false;
        }
        return a.host().equals(b.host()) || wildcardOrLoopbackAlias(a.host()) || wildcardOrLoopbackAlias(b.host());
    }

    // "localhost" binds 127.0.0.1 (and maybe ::1); wildcards bind every address
    private static boolean wildcardOrLoopbackAlias(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("localhost");
    }

    /** The listen URL lists by flag, peer first. */
    Map<FlagDefinition, List<EtcdUrl>> listeners() {
        Map<FlagDefinition, List<EtcdUrl>> out = new LinkedHashMap<>();
        out.put(FlagTable.LISTEN_PEER_URLS, listenPeerUrls);
        out.put(FlagTable.LISTEN_CLIENT_URLS, listenClientUrls);
        out.put(FlagTable.LISTEN_CLIENT_HTTP_URLS, listenClientHttpUrls);
        return out;
    }

    private static void nonEmpty(FlagDefinition flag, List<EtcdUrl> urls) throws ConfigException {
        if (urls.isEmpty()) {
            throw new ConfigException(flag.name(), "--" + flag.name() + " must not be empty");
        }
    }
}
