/**
 * Benchmarks, not tests: {@link dev.etcetera.bench.Load} drives etcd's gRPC KV API on any endpoint and prints
 * throughput and latency percentiles; {@link dev.etcetera.bench.Compare} starts a real etcd and a member on
 * loopback and runs every mode against both. Nothing here passes or fails on time; run it with
 * {@code it/bench.sh} (the Maven profile {@code -Pbench}), never in the default test run.
 *
 * <p>Latencies are recorded per client thread in HdrHistogram (microseconds, 3 significant digits) and merged
 * at the end, so recording takes no lock on the request path.
 */
package dev.etcetera.bench;
