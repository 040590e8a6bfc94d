package dev.etcetera.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * etcd's member and cluster IDs, derived exactly as etcd derives them, so that an Etcetera cluster
 * bootstrapped with the same flags reports the same IDs as etcd would.
 *
 * <ul>
 *   <li>Member ID (etcd {@code membership.computeMemberID}): the first 8 bytes, big-endian, of
 *       SHA-1 over the member's peer URLs sorted as strings and concatenated without separator,
 *       followed by the cluster token; for a member added at run time etcd appends the decimal Unix
 *       time in seconds as well.</li>
 *   <li>Cluster ID (etcd {@code RaftCluster.genID}): the first 8 bytes, big-endian, of SHA-1 over
 *       the initial member IDs sorted as unsigned numbers, each written as 8 bytes big-endian.</li>
 * </ul>
 *
 * IDs are unsigned 64-bit numbers held in a {@code long}; print them with {@link #toHex(long)}
 * (etcdctl's table form) or {@link Long#toUnsignedString(long)} (its JSON form). Pure functions.
 */
public final class MemberIds {
    private MemberIds() {
    }

    /** The ID of a member that is part of the initial cluster (no timestamp). */
    public static long memberId(Collection<EtcdUrl> peerUrls, String clusterToken) {
        return memberId(peerUrls, clusterToken, null);
    }

    /** The ID etcd gives a member added at run time at {@code unixSeconds}. */
    public static long memberId(Collection<EtcdUrl> peerUrls, String clusterToken, long unixSeconds) {
        return memberId(peerUrls, clusterToken, Long.valueOf(unixSeconds));
    }

    private static long memberId(Collection<EtcdUrl> peerUrls, String clusterToken, Long unixSeconds) {
        List<String> urls = new ArrayList<>();
        for (EtcdUrl url : peerUrls) {
            urls.add(url.toString());
        }
        urls.sort(null);
        StringBuilder text = new StringBuilder();
        urls.forEach(text::append);
        text.append(clusterToken);
        if (unixSeconds != null) {
            text.append(unixSeconds.longValue());
        }
        return first8Bytes(sha1(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The cluster ID of a cluster whose members have these IDs. */
    public static long clusterId(Collection<Long> memberIds) {
        List<Long> ids = new ArrayList<>(memberIds);
        ids.sort(Long::compareUnsigned);
        ByteBuffer buf = ByteBuffer.allocate(8 * ids.size());
        ids.forEach(buf::putLong);
        return first8Bytes(sha1(buf.array()));
    }

    /** etcd's text form of an ID: lower-case hex without leading zeros ({@code types.ID.String()}). */
    public static String toHex(long id) {
        return Long.toHexString(id);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-1").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-1", e);
        }
    }

    private static long first8Bytes(byte[] hash) {
        return ByteBuffer.wrap(hash, 0, 8).getLong();
    }
}
