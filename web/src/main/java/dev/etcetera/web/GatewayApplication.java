package dev.etcetera.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * The JAX-RS application behind the client port. It is deployed on Payara under the context root
 * {@code /etcetera}; the client listener (Helidon) maps {@code /p} to {@code /etcetera/p}, so
 * clients see etcd's paths ({@code /v3/kv/range}, {@code /version}, {@code /health}...).
 */
@ApplicationPath("/")
public class GatewayApplication extends Application {
}
