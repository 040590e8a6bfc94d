package dev.etcetera.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Member and cluster IDs pinned to what a real etcd 3.4.23 reported (etcdctl endpoint status /
 * member list -w json) for the same bootstrap flags; src/test/scripts/etcd-known-ids.sh re-records
 * them. The algorithm is unchanged in etcd 3.6 (membership/member.go computeMemberID,
 * cluster.go genID).
 */
class MemberIdsTest {

    @Test
    void defaultNameAndTokenSinglePeerUrl() throws ConfigException {
        // etcd --name default --initial-advertise-peer-urls http://127.0.0.1:23800
        //      --initial-cluster default=http://127.0.0.1:23800 (token etcd-cluster)
        long member = MemberIds.memberId(List.of(EtcdUrl.parse("http://127.0.0.1:23800")), "etcd-cluster");
        assertEquals("3319814642761637952", Long.toUnsignedString(member));
        assertEquals("324952591200643719", Long.toUnsignedString(MemberIds.clusterId(List.of(member))));

        EtcdConfig config = EtcdConfig.parse(List.of("--name", "default",
                "--listen-peer-urls", "http://127.0.0.1:23800", "--initial-advertise-peer-urls", "http://127.0.0.1:23800",
                "--initial-cluster", "default=http://127.0.0.1:23800",
                "--listen-client-urls", "http://127.0.0.1:23790", "--advertise-client-urls", "http://127.0.0.1:23790"), Map.of());
        assertEquals(member, config.cluster().initialMemberIds().get("default"));
        assertEquals("48276a8f75b6a87", MemberIds.toHex(config.cluster().initialClusterId()));
    }

    @Test
    void otherNameOtherTokenTwoPeerUrlsGivenUnsorted() throws ConfigException {
        // etcd --name node-two --initial-cluster-token etcetera-test-token
        //      --initial-advertise-peer-urls http://127.0.0.1:23802,http://127.0.0.1:23801
        EtcdConfig config = EtcdConfig.parse(List.of("--name", "node-two", "--initial-cluster-token", "etcetera-test-token",
                "--listen-peer-urls", "http://127.0.0.1:23801,http://127.0.0.1:23802",
                "--initial-advertise-peer-urls", "http://127.0.0.1:23802,http://127.0.0.1:23801",
                "--initial-cluster", "node-two=http://127.0.0.1:23802,node-two=http://127.0.0.1:23801",
                "--listen-client-urls", "http://127.0.0.1:23791", "--advertise-client-urls", "http://127.0.0.1:23791"), Map.of());
        assertEquals("9235286578275930947", Long.toUnsignedString(config.cluster().initialMemberIds().get("node-two")));
        assertEquals("2623700065778815316", Long.toUnsignedString(config.cluster().initialClusterId()));
    }

    @Test
    void threeMemberClusterIdAboveSignedRange() {
        // three etcd processes alpha/beta/gamma, token three-node-token, peers on 23810/23820/23830
        String token = "three-node-token";
        long alpha = MemberIds.memberId(List.of(EtcdUrl.parse("http://127.0.0.1:23810")), token);
        long beta = MemberIds.memberId(List.of(EtcdUrl.parse("http://127.0.0.1:23820")), token);
        long gamma = MemberIds.memberId(List.of(EtcdUrl.parse("http://127.0.0.1:23830")), token);
        assertEquals("6074136519088468523", Long.toUnsignedString(alpha));
        assertEquals("8730612109801081654", Long.toUnsignedString(beta));
        assertEquals("9203789502067961526", Long.toUnsignedString(gamma));
        // the cluster ID does not depend on the order members are listed in
        assertEquals("11171515959499081889", Long.toUnsignedString(MemberIds.clusterId(List.of(gamma, alpha, beta))));
        assertEquals("11171515959499081889", Long.toUnsignedString(MemberIds.clusterId(List.of(alpha, beta, gamma))));
    }

    @Test
    void clusterIdSortsIdsAsUnsigned() {
        // etcd sorts member IDs as uint64: an ID with the top bit set comes last, not first
        long high = 0x8000_0000_0000_0001L;
        long low = 0x0000_0000_0000_0002L;
        assertEquals(MemberIds.clusterId(List.of(low, high)), MemberIds.clusterId(List.of(high, low)));
        byte[] expectedInput = new byte[16];
        expectedInput[7] = 2;
        expectedInput[8] = (byte) 0x80;
        expectedInput[15] = 1;
        assertEquals(first8(sha1(expectedInput)), MemberIds.clusterId(List.of(high, low)));
    }

    @Test
    void runtimeAddedMemberHashesTheTimestampToo() {
        List<EtcdUrl> urls = List.of(EtcdUrl.parse("http://127.0.0.1:2380"));
        long initial = MemberIds.memberId(urls, "t");
        long added = MemberIds.memberId(urls, "t", 1_700_000_000L);
        assertEquals(first8(sha1("http://127.0.0.1:2380t1700000000".getBytes(java.nio.charset.StandardCharsets.UTF_8))), added);
        assertEquals(first8(sha1("http://127.0.0.1:2380t".getBytes(java.nio.charset.StandardCharsets.UTF_8))), initial);
    }

    private static byte[] sha1(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static long first8(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[i] & 0xff);
        }
        return v;
    }
}
