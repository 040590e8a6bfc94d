package dev.etcetera.server;

import java.util.List;

/**
 * Identity of a member as clients see it.
 *
 * @param clusterId     etcd's cluster ID (derived from the initial cluster and token)
 * @param memberId      etcd's member ID (derived from the peer URLs and the cluster token)
 * @param name          {@code --name}
 * @param peerUrls      advertised peer URLs
 * @param clientUrls    advertised client URLs
 * @param serverVersion the etcd API version we implement, dotted ("3.6.0"), reported by Status and /version
 * @param clusterVersion the cluster version, dotted major.minor.0 ("3.6.0")
 */
public record MemberInfo(long clusterId, long memberId, String name, List<String> peerUrls,
                         List<String> clientUrls, String serverVersion, String clusterVersion) {
    public MemberInfo {
        peerUrls = List.copyOf(peerUrls);
        clientUrls = List.copyOf(clientUrls);
    }
}
