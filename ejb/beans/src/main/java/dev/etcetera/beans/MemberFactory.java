package dev.etcetera.beans;

import dev.etcetera.config.BuildInfo;
import dev.etcetera.config.EtcdConfig;
import dev.etcetera.config.EtcdUrl;
import dev.etcetera.config.MemberConfig;
import dev.etcetera.lease.LeaseClock;
import dev.etcetera.lease.LeaseOptions;
import dev.etcetera.server.EtcdServer;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import dev.etcetera.storage.je.JeBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Builds the member's server from the validated configuration. Container-free on purpose: the
 * bean only decides when; this class decides what.
 */
final class MemberFactory {
    private MemberFactory() {
    }

    static EtcdServer open(EtcdConfig config) {
        MemberConfig member = config.member();
        if (config.cluster().initialCluster().size() > 1) {
            throw new IllegalArgumentException("--initial-cluster lists " + config.cluster().initialCluster().size()
                    + " members; this build runs single-member clusters only (replication lands with the Raft wiring)");
        }
        Long memberId = config.cluster().initialMemberIds().get(member.name());
        if (memberId == null) {
            throw new IllegalArgumentException("--initial-cluster has no entry for --name " + member.name());
        }
        MemberInfo info = new MemberInfo(config.cluster().initialClusterId(), memberId, member.name(),
                strings(member.initialAdvertisePeerUrls()), strings(member.advertiseClientUrls()),
                BuildInfo.ETCD_API_VERSION, BuildInfo.ETCD_API_VERSION);

        OptionalLong quota = config.storage().effectiveQuotaBytes();
        ServerLimits limits = ServerLimits.defaults()
                .withMaxRequestBytes((int) Math.min(Integer.MAX_VALUE, config.limits().maxRequestBytes()))
                .withMaxTxnOps((int) Math.min(Integer.MAX_VALUE, config.limits().maxTxnOps()))
                .withQuotaBackendBytes(quota.isPresent() ? quota.getAsLong() : Long.MAX_VALUE)
                .withCompactionBatchLimit((int) Math.min(Integer.MAX_VALUE, config.storage().effectiveCompactionBatchLimit()));

        Path db = Path.of(member.dataDir()).resolve("member").resolve("db");
        try {
            Files.createDirectories(db);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot use --data-dir " + member.dataDir() + ": " + e.getMessage(), e);
        }
        // The server owns the backend from the call on and closes it itself if opening fails (closing it
        // again here would replace the real error with JE's "Environment is closed").
        return SingleMemberServer.open(info, limits, JeBackend.open(db),
                LeaseOptions.forRaft(config.raft().heartbeatIntervalMs(), config.raft().electionTimeoutMs()),
                LeaseClock.SYSTEM);
    }

    private static List<String> strings(List<EtcdUrl> urls) {
        return urls.stream().map(EtcdUrl::toString).toList();
    }
}
