package dev.etcetera.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ports of the Payara Micro runtime that hosts a member. Payara's own HTTP listener and its
 * embedded Hazelcast are not etcd endpoints, but they bind ports, so each member on a host needs
 * its own; by default they follow the member's client port.
 *
 * @param httpPort      {@code --payara-http-port} (default: lowest {@code --listen-client-urls} port
 *                      + 10000, 12379 by default): Payara Micro's HTTP listener on 127.0.0.1
 * @param hazelcastPort {@code --payara-hazelcast-port} (default: lowest {@code --listen-client-urls}
 *                      port + 20000, 22379 by default): Payara Micro's embedded Hazelcast
 */
public record PayaraConfig(int httpPort, int hazelcastPort) {

    static PayaraConfig from(FlagValues v) {
        return new PayaraConfig(v.port(FlagTable.PAYARA_HTTP_PORT), v.port(FlagTable.PAYARA_HAZELCAST_PORT));
    }

    /**
     * Both ports must be valid, differ from each other and from every port the member listens on.
     *
     * @throws ConfigException naming --payara-http-port or --payara-hazelcast-port
     */
    public void validateFor(MemberConfig member, List<EtcdUrl> metricsUrls) throws ConfigException {
        check(FlagTable.PAYARA_HTTP_PORT, httpPort);
        check(FlagTable.PAYARA_HAZELCAST_PORT, hazelcastPort);
        if (httpPort == hazelcastPort) {
            throw new ConfigException(FlagTable.PAYARA_HAZELCAST_PORT.name(), "--payara-hazelcast-port " + hazelcastPort
                    + " collides with --payara-http-port " + httpPort);
        }
        Map<FlagDefinition, List<EtcdUrl>> listeners = new LinkedHashMap<>(member.listeners());
        listeners.put(FlagTable.LISTEN_METRICS_URLS, metricsUrls);
        for (FlagDefinition payara : List.of(FlagTable.PAYARA_HTTP_PORT, FlagTable.PAYARA_HAZELCAST_PORT)) {
            int port = payara == FlagTable.PAYARA_HTTP_PORT ? httpPort : hazelcastPort;
            for (Map.Entry<FlagDefinition, List<EtcdUrl>> e : listeners.entrySet()) {
                for (EtcdUrl url : e.getValue()) {
                    if (url.port() == port) {
                        throw new ConfigException(payara.name(), "--" + payara.name() + " " + port + " collides with --"
                                + e.getKey().name() + " " + url + "; set --" + payara.name() + " to a free port");
                    }
                }
            }
        }
    }

    private static void check(FlagDefinition flag, int port) throws ConfigException {
        if (port < 1 || port > 65535) {
            throw new ConfigException(flag.name(), "invalid value \"" + port + "\" for flag --" + flag.name() + ": not a valid port (1-65535)");
        }
    }
}
