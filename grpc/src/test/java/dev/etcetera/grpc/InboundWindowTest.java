package dev.etcetera.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.helidon.http.http2.ConnectionFlowControl;
import io.helidon.http.http2.Http2WindowUpdate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The client port's inbound HTTP/2 settings make Helidon give window back per consumed frame
 * (see {@link ClientPortServer#INBOUND_MAX_FRAME_BYTES}): its deferred strategy, which Helidon
 * 4.5.0 picks for a window of 4 frames or more, races across the streams of one connection.
 * This checks Helidon's behaviour with our settings, so that an upgrade that changes the choice
 * is noticed.
 */
class InboundWindowTest {

    /** Window updates written by a connection flow control built as Helidon's server builds it. */
    private static List<Integer> updatesAfterConsuming(int windowBytes, int maxFrameBytes, int consumed) {
        List<Integer> written = new ArrayList<>();
        ConnectionFlowControl fc = ConnectionFlowControl
                .serverBuilder((Integer streamId, Http2WindowUpdate update) -> written.add(update.windowSizeIncrement()))
                .initialWindowSize(windowBytes)
                .maxFrameSize(maxFrameBytes)
                .build();
        fc.decrementInboundConnectionWindowSize(consumed);
        fc.incrementInboundConnectionWindowSize(consumed);
        return written;
    }

    @Test
    void consumedConnectionWindowIsGivenBackAtOnceWithTheClientPortSettings() {
        assertEquals(List.of(100), updatesAfterConsuming(ClientPortServer.INBOUND_WINDOW_BYTES,
                ClientPortServer.INBOUND_MAX_FRAME_BYTES, 100));
    }

    /** The control: Helidon's default frame size (16 KiB) makes it defer the update, the racy strategy. */
    @Test
    void helidonDefersItWithDefaultFrames() {
        assertEquals(List.of(), updatesAfterConsuming(ClientPortServer.INBOUND_WINDOW_BYTES, 16_384, 100));
    }
}
