package dev.etcetera.web;

import com.google.gson.JsonObject;
import dev.etcetera.api.etcdserverpb.AlarmRequest;
import dev.etcetera.api.etcdserverpb.AlarmResponse;
import dev.etcetera.api.etcdserverpb.RangeRequest;
import dev.etcetera.beans.MemberBean;
import dev.etcetera.server.EtcdServer;
import com.google.protobuf.ByteString;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * etcd's probes on the client port.
 * <ul>
 *   <li>{@code GET /health}: {@code {"health":"true","reason":""}} (200) or {@code "false"} with the
 *       reason (503); checks alarms (unless {@code ?exclude=NOSPACE}), and a read of the key
 *       {@code health} (linearizable unless {@code ?serializable=true}).</li>
 *   <li>{@code GET /livez}: check {@code serializable_read}; {@code GET /readyz}: checks
 *       {@code data_corruption}, {@code serializable_read}, {@code linearizable_read}. Plain text
 *       {@code ok}; {@code ?verbose} lists {@code [+]check ok}; {@code ?exclude=check} skips one;
 *       {@code /livez/<check>} and {@code /readyz/<check>} run a single check (etcd 3.6).</li>
 * </ul>
 * MicroProfile Health stays at {@code /health/live}, {@code /health/ready} and
 * {@code /health/started}: the client listener forwards those to Payara's own endpoints, so the
 * two families never collide.
 */
@Path("/")
public class HealthResource {
    private static final long TIMEOUT_MS = 5_000;

    @Inject
    MemberBean member;

    @GET
    @Path("health")
    public Response health(@QueryParam("exclude") List<String> exclude, @QueryParam("serializable") String serializable) {
        EtcdServer server = member.server();
        String reason = "";
        if (server == null) {
            reason = "member not started";
        } else {
            try {
                AlarmResponse alarms = server.alarm(AlarmRequest.getDefaultInstance()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                for (var alarm : alarms.getAlarmsList()) {
                    if (!exclude.contains(alarm.getAlarm().name())) {
                        reason = "ALARM " + alarm.getAlarm().name();
                        break;
                    }
                }
                if (reason.isEmpty()) {
                    read(server, "true".equals(serializable)).run();
                }
            } catch (Exception e) {
                reason = "RANGE ERROR:" + message(e);
            }
        }
        JsonObject body = new JsonObject();
        body.addProperty("health", reason.isEmpty() ? "true" : "false");
        body.addProperty("reason", reason);
        return Response.status(reason.isEmpty() ? 200 : 503).type(MediaType.APPLICATION_JSON_TYPE).entity(body.toString()).build();
    }

    @GET
    @Path("livez")
    public Response livez(@QueryParam("verbose") String verbose, @QueryParam("exclude") List<String> exclude) {
        return probe("livez", checks(false), verbose != null, exclude);
    }

    @GET
    @Path("readyz")
    public Response readyz(@QueryParam("verbose") String verbose, @QueryParam("exclude") List<String> exclude) {
        return probe("readyz", checks(true), verbose != null, exclude);
    }

    @GET
    @Path("livez/{check}")
    public Response livezOne(@PathParam("check") String check) {
        return single("livez", checks(false), check);
    }

    @GET
    @Path("readyz/{check}")
    public Response readyzOne(@PathParam("check") String check) {
        return single("readyz", checks(true), check);
    }

    private Map<String, Runnable> checks(boolean ready) {
        EtcdServer server = member.server();
        Map<String, Runnable> checks = new LinkedHashMap<>();
        Supplier<EtcdServer> s = () -> {
            if (server == null) {
                throw new IllegalStateException("member not started");
            }
            return server;
        };
        if (ready) {
            checks.put("data_corruption", () -> {
                try {
                    var alarms = s.get().alarm(AlarmRequest.getDefaultInstance()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                    if (alarms.getAlarmsList().stream().anyMatch(a -> a.getAlarm().name().equals("CORRUPT"))) {
                        throw new IllegalStateException("the member has a CORRUPT alarm");
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(message(e), e);
                }
            });
        }
        checks.put("serializable_read", () -> read(s.get(), true).run());
        if (ready) {
            checks.put("linearizable_read", () -> read(s.get(), false).run());
        }
        return checks;
    }

    private static Runnable read(EtcdServer server, boolean serializable) {
        return () -> {
            try {
                server.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("health"))
                        .setSerializable(serializable).setCountOnly(true).build()).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(message(e), e);
            }
        };
    }

    private static Response probe(String name, Map<String, Runnable> checks, boolean verbose, List<String> exclude) {
        List<String> lines = new ArrayList<>();
        boolean ok = true;
        for (var check : checks.entrySet()) {
            if (exclude.contains(check.getKey())) {
                lines.add("[+]" + check.getKey() + " excluded: ok");
                continue;
            }
            try {
                check.getValue().run();
                lines.add("[+]" + check.getKey() + " ok");
            } catch (RuntimeException e) {
                ok = false;
                lines.add("[-]" + check.getKey() + " failed: " + message(e));
            }
        }
        StringBuilder text = new StringBuilder();
        if (verbose || !ok) {
            lines.forEach(l -> text.append(l).append('\n'));
        }
        text.append(ok ? "ok" : name + " check failed");
        return Response.status(ok ? 200 : 503).type(MediaType.TEXT_PLAIN_TYPE).entity(text.toString()).build();
    }

    private static Response single(String name, Map<String, Runnable> checks, String check) {
        Runnable c = checks.get(check);
        if (c == null) {
            return Response.status(404).type(MediaType.TEXT_PLAIN_TYPE).entity("404 page not found\n").build();
        }
        try {
            c.run();
            return Response.ok("ok", MediaType.TEXT_PLAIN_TYPE).build();
        } catch (RuntimeException e) {
            return Response.status(503).type(MediaType.TEXT_PLAIN_TYPE)
                    .entity("[-]" + check + " failed: " + message(e) + "\n" + name + " check failed").build();
        }
    }

    private static String message(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && (c.getMessage() == null || c instanceof java.util.concurrent.ExecutionException
                || c instanceof IllegalStateException)) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }
}
