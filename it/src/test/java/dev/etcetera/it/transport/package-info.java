/**
 * The client port's transport, black-box against a real member ({@code bin/etcetera}): HTTP/2 under
 * many concurrent unary calls (no GOAWAY, no refused stream), a stalled watch stream that must not
 * hurt the calls multiplexed on its connection and must resume losslessly, MicroProfile Health next to
 * etcd's probes, and an HTTP-only listener from {@code --listen-client-http-urls}.
 *
 * <p>Invariants the tests hold the member to: a transport error (UNAVAILABLE, INTERNAL from a GOAWAY)
 * on a healthy member is a bug; a watch stream whose client stops reading only stops receiving; on a
 * split listener the other protocol is refused by closing the connection without a byte, as etcd 3.5+
 * does. Every wait is bounded and says what it waited for; members listen on 127.0.0.1 only.
 */
package dev.etcetera.it.transport;
