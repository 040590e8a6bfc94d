package dev.etcetera.beans;

import dev.etcetera.config.BuildInfo;
import dev.etcetera.config.EtcdConfig;
import dev.etcetera.config.EtcdUrl;
import dev.etcetera.config.FlagTable;
import dev.etcetera.config.MemberConfig;
import dev.etcetera.lease.LeaseClock;
import dev.etcetera.lease.LeaseOptions;
import dev.etcetera.server.EtcdServer;
import dev.etcetera.server.MemberInfo;
import dev.etcetera.server.ServerLimits;
import dev.etcetera.server.SingleMemberServer;
import dev.etcetera.journal.FileJournal;
import dev.etcetera.journal.JournalOptions;
import dev.etcetera.storage.je.JeBackend;
import dev.etcetera.storage.wal.JournalWal;
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
        JournalOptions journalOptions = journalOptions(config);
        JeBackend backend = JeBackend.open(db);
        FileJournal journal;
        try {
            journal = FileJournal.open(journalOptions, MemberFactory::journalFailed);
        } catch (java.io.IOException | RuntimeException e) {
            backend.close();
            throw new IllegalArgumentException("cannot open the journal in " + journalOptions.dir() + ": "
                    + e.getMessage(), e);
        }
        // Journal-first durability: the server owns backend and journal from here on, also on failure.
        return SingleMemberServer.open(info, limits, backend,
                new JournalWal(journal, config.raft().effectiveSnapshotCount()), watchConfig(config, limits),
                LeaseOptions.forRaft(config.raft().heartbeatIntervalMs(), config.raft().electionTimeoutMs()),
                LeaseClock.SYSTEM);
    }

    /**
     * The journal's settings: {@code --wal-dir} (default {@code <data-dir>/member/wal}),
     * {@code --snapshot-catchup-entries}, {@code --journal-max-pending-bytes}; the rest at their defaults.
     */
    static JournalOptions journalOptions(EtcdConfig config) {
        String walDir = config.value(FlagTable.WAL_DIR);
        Path dir = walDir.isEmpty() ? Path.of(config.member().dataDir()).resolve("member").resolve("wal") : Path.of(walDir);
        String catchup = config.values().values().get("snapshot-catchup-entries");
        long retain = catchup == null || catchup.isEmpty() ? JournalOptions.DEFAULT_RETAIN_ENTRIES : Long.parseLong(catchup);
        return JournalOptions.defaults(dir).withRetainEntries(retain)
                .withMaxPendingBytes(Long.parseLong(config.value(FlagTable.JOURNAL_MAX_PENDING_BYTES))).validate();
    }

    /**
     * A failed journal write or fsync: the member already fails every waiting request and reports
     * unhealthy; the process must not go on (a restart re-reads what is really on disk).
     */
    private static void journalFailed(Throwable cause) {
        java.util.logging.Logger.getLogger(MemberFactory.class.getName())
                .log(java.util.logging.Level.SEVERE, "journal write or fsync failed; exiting", cause);
        System.err.println("etcetera: journal failed, exiting: " + cause);
        System.err.flush();
        // exit from another thread: the journal's thread must not block in the shutdown hooks
        new Thread(() -> System.exit(1), "etcetera-journal-fatal-exit").start();
    }

    /** The watch stage's tunables from {@code --watch-progress-notify-interval} and {@code --max-request-bytes}. */
    private static dev.etcetera.watch.WatchableStore.Config watchConfig(EtcdConfig config, ServerLimits limits) {
        return dev.etcetera.watch.WatchableStore.Config.defaults()
                .withMaxRequestBytes(limits.maxRequestBytes())
                .withProgressInterval(config.watch().effectiveProgressNotifyInterval().toNanos());
    }

    private static List<String> strings(List<EtcdUrl> urls) {
        return urls.stream().map(EtcdUrl::toString).toList();
    }
}
