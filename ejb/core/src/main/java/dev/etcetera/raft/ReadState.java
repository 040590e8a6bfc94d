package dev.etcetera.raft;

import com.google.protobuf.ByteString;

/**
 * The answer to a {@link RawNode#readIndex} request: once the local applied index reaches
 * {@code index}, a read of the local state machine is linearizable. {@code context} is the caller's
 * request context, returned unchanged so it can find the waiting readers.
 */
public record ReadState(long index, ByteString context) {
}
