package dev.etcetera.web;

import dev.etcetera.api.etcdserverpb.StatusRequest;
import dev.etcetera.api.etcdserverpb.StatusResponse;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.server.EtcdServer;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;

import java.util.concurrent.TimeUnit;

/**
 * {@code GET /metrics} in Prometheus text format, with etcd's metric names for what a single
 * member knows today (leader, identity, versions, backend size and quota, process). etcd's full
 * metric set comes with the metrics issue.
 */
@Path("/metrics")
public class MetricsResource {
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    MemberBean member;

    @GET
    public Response metrics() throws Exception {
        EtcdServer server = member.server();
        if (server == null) {
            return Response.status(503).build();
        }
        StatusResponse status = server.status(StatusRequest.getDefaultInstance()).get(5, TimeUnit.SECONDS);
        StringBuilder out = new StringBuilder(2048);
        gauge(out, "etcd_server_has_leader", "Whether or not a leader exists. 1 is existence, 0 is not.", "", status.getLeader() != 0 ? 1 : 0);
        gauge(out, "etcd_server_is_leader", "Whether or not this member is a leader. 1 if is, 0 otherwise.", "",
                status.getLeader() == status.getHeader().getMemberId() ? 1 : 0);
        gauge(out, "etcd_server_is_learner", "Whether or not this member is a learner. 1 if is, 0 otherwise.", "", status.getIsLearner() ? 1 : 0);
        gauge(out, "etcd_server_id", "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.",
                "{server_id=\"" + Long.toHexString(server.info().memberId()) + "\"}", 1);
        gauge(out, "etcd_server_version", "Which version is running. 1 for 'server_version' label with current version.",
                "{server_version=\"" + server.info().serverVersion() + "\"}", 1);
        gauge(out, "etcd_cluster_version", "Which version is running. 1 for 'cluster_version' label with current cluster version",
                "{cluster_version=\"" + majorMinor(server.info().clusterVersion()) + "\"}", 1);
        gauge(out, "etcd_server_quota_backend_bytes", "Current backend storage quota size in bytes.", "", status.getDbSizeQuota());
        gauge(out, "etcd_mvcc_db_total_size_in_bytes", "Total size of the underlying database physically allocated in bytes.", "", status.getDbSize());
        gauge(out, "etcd_mvcc_db_total_size_in_use_in_bytes", "Total size of the underlying database logically in use in bytes.", "", status.getDbSizeInUse());
        gauge(out, "etcd_debugging_mvcc_current_revision", "The current revision of store.", "", status.getHeader().getRevision());
        gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "", residentBytes());
        gauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "",
                ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0);
        return Response.ok(out.toString(), TEXT).build();
    }

    private static void gauge(StringBuilder out, String name, String help, String labels, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
        out.append(name).append(labels).append(' ');
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        out.append('\n');
    }

    private static String majorMinor(String version) {
        String[] parts = version.split("\\.");
        return parts.length >= 2 ? parts[0] + "." + parts[1] : version;
    }

    private static long residentBytes() {
        try {
            for (String line : Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not on Linux: report 0 rather than fail the scrape
        }
        return 0;
    }
}
