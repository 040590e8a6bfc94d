package dev.etcetera.beans;

import dev.etcetera.config.ConfigException;
import dev.etcetera.config.EtcdConfig;
import dev.etcetera.config.EtcdUrl;
import dev.etcetera.config.MemberConfig;
import dev.etcetera.grpc.ClientPortServer;
import dev.etcetera.grpc.GatewayForwarder;
import dev.etcetera.grpc.ElectionService;
import dev.etcetera.grpc.KvService;
import dev.etcetera.grpc.LeaseService;
import dev.etcetera.grpc.LockService;
import dev.etcetera.grpc.MaintenanceService;
import dev.etcetera.grpc.WatchService;
import dev.etcetera.server.EtcdServer;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The member inside Payara: built once at deployment from MicroProfile Config (the launcher turns
 * etcd flags and {@code ETCD_*} variables into {@code etcetera.*} system properties), it opens the
 * store, starts the client listeners (gRPC + HTTP on Helidon) and announces readiness with one line,
 * {@code ready to serve client requests}, once the JSON gateway answers too.
 *
 * <p>If the member cannot start (port in use, unusable data dir, bad configuration) the process
 * exits with status 1 after a one-line message on stderr: a member that cannot serve must not
 * linger as a healthy-looking Payara process.
 */
@Startup
@Singleton
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
public class MemberBean {
    private static final Logger LOG = Logger.getLogger(MemberBean.class.getName());
    /** Context root of the web module on Payara's loopback listener; see GatewayApplication. */
    public static final String CONTEXT_ROOT = "/etcetera";
    /** How long the gateway may take to answer after the member started (Payara deploys slowly on a loaded host). */
    private static final Duration GATEWAY_START_BOUND = Duration.ofSeconds(300);

    @Resource
    ManagedThreadFactory threads;

    private volatile EtcdServer server;
    private volatile ClientPortServer clients;
    private volatile EtcdConfig config;
    /** Guards open vs stop: a stop during the open waits for it and then closes what it opened. */
    private final Object lifecycle = new Object();
    private boolean stopped;

    @PostConstruct
    void start() {
        try {
            Config mp = ConfigProvider.getConfig();
            // getOptionalValue would turn "" into "missing"; an empty value (e.g. a token) is meaningful
            config = EtcdConfig.fromProperties(key -> Optional.ofNullable(mp.getConfigValue(key).getRawValue()));
        } catch (ConfigException | RuntimeException | Error e) {
            fatal(e);
            return;
        }
        // Opening the store (JE recovery, journal replay) and starting the client listeners runs
        // beside the rest of Payara's deployment (the web module loads meanwhile) rather than
        // before it: start-up is the sum of both otherwise. Nothing serves before the open ends:
        // the client ports are bound by it, and the ready line waits for it.
        //
        // That is safe only because that thread loads no class through the web module's class loader:
        // at the end of the web module's start Payara closes the loader's jar files
        // (StandardContext.start, closeJARs) while another thread may be looking a class up in them
        // through WebDirContext, which reads the jar list unlocked: "IllegalStateException: zip file
        // closed", and a class whose static initialiser was running stays unusable. So every jar but
        // this one is on the JVM's class path (web/pom.xml, bin/etcetera), and the only other class
        // of this jar the thread needs is loaded here, on the deployment thread.
        requireLoaded(MemberFactory.class);
        threads.newThread(this::openAndAnnounce).start();
    }

    /** Nothing to do: taking the class literal has loaded the class (see {@link #start()}). */
    private static void requireLoaded(Class<?> loaded) {
        LOG.finest(() -> "loaded on the deployment thread: " + loaded.getName());
    }

    private void openAndAnnounce() {
        try {
            synchronized (lifecycle) {
                if (stopped) {
                    return;
                }
                server = MemberFactory.open(config);
                clients = ClientPortServer.start(clientListeners(config.member()),
                        List.of(new KvService(server), new MaintenanceService(server),
                                WatchService.bindable(server),
                                new LeaseService(server), new LockService(server), new ElectionService(server)),
                        config.limits().maxGrpcReceiveBytes(),
                        new GatewayForwarder(config.payara().httpPort(), CONTEXT_ROOT));
            }
            awaitGateway();
        } catch (RuntimeException | Error e) {
            fatal(e);
        }
    }

    /** gRPC + HTTP on every --listen-client-urls, HTTP only on every --listen-client-http-urls. */
    private static List<ClientPortServer.Listener> clientListeners(MemberConfig member) {
        List<ClientPortServer.Listener> listeners = new ArrayList<>();
        member.listenClientUrls().forEach(u -> listeners.add(new ClientPortServer.Listener(u.host(), u.port(), true)));
        member.listenClientHttpUrls().forEach(u -> listeners.add(new ClientPortServer.Listener(u.host(), u.port(), false)));
        return listeners;
    }

    /** The member facade, or null while the member is starting or after it stopped. */
    public EtcdServer server() {
        return server;
    }

    @PreDestroy
    void stop() {
        synchronized (lifecycle) { // waits for an open in progress, so that it is closed, not leaked
            stopped = true;
            ClientPortServer c = clients;
            clients = null;
            if (c != null) {
                c.close();
            }
            EtcdServer s = server;
            server = null;
            if (s != null) {
                s.close();
            }
        }
        LOG.info("etcetera member stopped");
    }

    /**
     * Waits (bounded) until the JAX-RS gateway answers through Payara's listener, then prints the
     * ready line (after {@link EtcdServer#startServing()}). gRPC is already serving by then; the
     * gateway is the last piece to come up.
     */
    private void awaitGateway() {
        // A plain HttpURLConnection on http: java.net.http.HttpClient would initialise the default
        // SSLContext (Payara points it at its PKCS12 key and trust stores, whose PBKDF2-protected
        // entries cost ~0.5 s of CPU to open) and load ~150 classes, for a loopback probe.
        URL probe;
        try {
            probe = URI.create("http://127.0.0.1:" + config.payara().httpPort() + CONTEXT_ROOT + "/version").toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + GATEWAY_START_BOUND.toNanos();
        while (System.nanoTime() < deadline && server != null) {
            if (gatewayAnswers(probe)) {
                EtcdServer serving = server;
                if (serving == null) {
                    return; // stopped meanwhile
                }
                serving.startServing();
                System.out.println("etcetera: member " + config.member().name() + " ready to serve client requests on "
                        + EtcdUrl.format(config.member().listenClientUrls()));
                System.out.flush();
                return;
            }
            try {
                Thread.sleep(50); // polling interval of a bounded wait, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (server != null) {
            fatal(new IllegalStateException("the JSON gateway did not come up within " + GATEWAY_START_BOUND.toSeconds() + " s"));
        }
    }

    /** One GET of the gateway's /version, bounded by 2 s to connect and 2 s to answer: true on 200. */
    private static boolean gatewayAnswers(URL probe) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) probe.openConnection(Proxy.NO_PROXY);
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            c.setUseCaches(false);
            int status = c.getResponseCode();
            try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (body != null) {
                    body.transferTo(OutputStream.nullOutputStream());
                }
            }
            return status == 200;
        } catch (IOException e) {
            LOG.fine(() -> "gateway not answering yet: " + e);
            return false;
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    private void fatal(Throwable e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        LOG.log(Level.SEVERE, "etcetera member cannot start", e);
        System.err.println("etcetera: cannot start member: " + message);
        System.err.flush();
        stop();
        // exit from another thread: the deployment thread must not block in the shutdown hooks
        Thread exit = new Thread(() -> System.exit(1), "etcetera-fatal-exit");
        exit.start();
    }
}
