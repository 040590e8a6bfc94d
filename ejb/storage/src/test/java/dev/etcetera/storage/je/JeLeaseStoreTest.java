package dev.etcetera.storage.je;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.etcetera.api.etcdserverpb.LeaseGrantRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveRequest;
import dev.etcetera.api.etcdserverpb.LeaseTimeToLiveResponse;
import dev.etcetera.api.etcdserverpb.PutRequest;
import dev.etcetera.lease.LeaseClock;
import dev.etcetera.lease.LeaseOptions;
import dev.etcetera.lease.LeaseRecord;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lease database of the JE backend: records written with the batch, read back at open, through a server. */
class JeLeaseStoreTest {
    static final MemberInfo INFO = new MemberInfo(1, 2, "default", List.of("http://127.0.0.1:2380"),
            List.of("http://127.0.0.1:2379"), "3.6.0", "3.6.0");

    @TempDir
    Path dir;

    @Test
    void leaseRecordsRoundTripThroughABatch() {
        try (JeBackend b = JeBackend.open(dir)) {
            var batch = b.begin();
            batch.putLease(5, new LeaseRecord(5, 10, 0).encode());
            batch.putLease(-7, new LeaseRecord(-7, 20, 3).encode());
            batch.putLease(9, new LeaseRecord(9, 30, 0).encode());
            batch.commit(true);
            var del = b.begin();
            del.deleteLease(9);
            del.commit(true);
        }
        try (JeBackend b = JeBackend.open(dir)) {
            Map<Long, LeaseRecord> seen = new HashMap<>();
            b.forEachLease((id, bytes) -> seen.put(id, LeaseRecord.decode(id, bytes)));
            assertEquals(Map.of(5L, new LeaseRecord(5, 10, 0), -7L, new LeaseRecord(-7, 20, 3)), seen);
        }
    }

    @Test
    void serverRecoversLeasesAndAttachmentsFromJe() throws Exception {
        try (SingleMemberServer s = SingleMemberServer.open(INFO, ServerLimits.defaults(), JeBackend.open(dir),
                LeaseOptions.defaults(), LeaseClock.SYSTEM)) {
            s.leaseGrant(LeaseGrantRequest.newBuilder().setID(42).setTTL(600).build()).get(20, TimeUnit.SECONDS);
            s.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setLease(42).build()).get(20, TimeUnit.SECONDS);
        }
        try (SingleMemberServer s = SingleMemberServer.open(INFO, ServerLimits.defaults(), JeBackend.open(dir),
                LeaseOptions.defaults(), LeaseClock.SYSTEM)) {
            LeaseTimeToLiveResponse t = s.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(42).setKeys(true).build())
                    .get(20, TimeUnit.SECONDS);
            assertEquals(600, t.getGrantedTTL());
            assertTrue(t.getTTL() >= 598, "full TTL after the restart: " + t.getTTL());
            assertEquals(List.of(ByteString.copyFromUtf8("k")), t.getKeysList());
        }
    }
}
