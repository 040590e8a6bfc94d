/**
 * etcd's v3 gRPC services as plain grpc-java {@code BindableService}s, and the client listeners that
 * serve them with Helidon 4 ({@link dev.etcetera.grpc.ClientPortServer}).
 *
 * <p>Invariants:
 * <ul>
 *   <li>Adapters are thin: validate, call one {@code EtcdServer} method, map errors through
 *       {@link dev.etcetera.grpc.GrpcErrors}, complete the call from the member's completion callback.</li>
 *   <li>No member thread ever blocks on a client: a response written from a platform thread (the apply
 *       thread completes puts) is queued and written on a virtual thread that may block on HTTP/2 flow
 *       control ({@link dev.etcetera.grpc.CallOutbound}); streaming writers that own a virtual thread
 *       (the watch sender) write directly and feel flow control as back-pressure.</li>
 *   <li>Every call's HTTP/2 stream is given back to Helidon once the call is closed or cancelled, and a
 *       cancelled call writes nothing more (Helidon 4.5 closes the whole connection otherwise; see
 *       {@link dev.etcetera.grpc.CallOutbound}).</li>
 *   <li>No two streams spend the same HTTP/2 connection window: gRPC DATA frames are cut and charged
 *       one at a time per connection and written in that order by the thread holding the connection's
 *       writer role, many frames per socket write ({@link dev.etcetera.grpc.DataWrites}); a stream's
 *       writer does not wait for its frame to reach the socket unless it has no window, and then waits on
 *       its own thread. Helidon 4.5.0 does not charge atomically, and writers that each waited for their
 *       own frame cost one socket write and often one wake-up per watch event.</li>
 *   <li>The client URL serves gRPC and HTTP/1.1; with {@code --listen-client-http-urls} the two are
 *       split and each listener closes the other protocol's connections unanswered, as etcd 3.5+.</li>
 * </ul>
 */
package dev.etcetera.grpc;
