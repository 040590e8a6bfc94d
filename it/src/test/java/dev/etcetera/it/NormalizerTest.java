package dev.etcetera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The masking rules of {@link Normalizer} that decide whether two gateway bodies count as equal. */
class NormalizerTest {
    private final Normalizer normalizer = new Normalizer(new Normalizer.Identity("127.0.0.1:1", "1", "1", "2", "2", List.of()));

    @Test
    void aLeaseTimeToLivesKeysCompareAsASet() {
        // etcd 3.4 answered gl/b before gl/a in CI (its lessor iterates a Go map); the member sorts them
        String etcd = "{\"ID\":\"7\",\"TTL\":\"59\",\"grantedTTL\":\"60\",\"keys\":[\"Z2wvYg==\",\"Z2wvYQ==\"]}";
        String member = "{\"ID\":\"7\",\"TTL\":\"60\",\"grantedTTL\":\"60\",\"keys\":[\"Z2wvYQ==\",\"Z2wvYg==\"]}";
        assertEquals(normalizer.text(etcd), normalizer.text(member));
        assertNotEquals(normalizer.text(etcd), normalizer.text(member.replace("Z2wvYQ==", "Z2wvYw==")),
                "a different key set must still differ");
    }

    @Test
    void otherArraysKeepTheirOrder() {
        String ab = "{\"kvs\":[{\"key\":\"YQ==\"},{\"key\":\"Yg==\"}],\"keys\":[\"YQ==\",\"Yg==\"]}";
        String ba = "{\"kvs\":[{\"key\":\"Yg==\"},{\"key\":\"YQ==\"}],\"keys\":[\"Yg==\",\"YQ==\"]}";
        assertNotEquals(normalizer.text(ab), normalizer.text(ba));
    }
}
