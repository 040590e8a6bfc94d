package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class JournalOptionsTest {

    private static final JournalOptions OK = JournalOptions.defaults(Path.of("wal"));

    @Test
    void defaultsAreValidAndDocumented() {
        OK.validate();
        assertEquals(64L << 20, OK.segmentBytes());
        assertEquals(Duration.ofMillis(2), OK.maxGroupWait());
        assertEquals(5000, OK.retainEntries());
        assertEquals(64L << 20, OK.maxPendingBytes());
    }

    private static void assertRejected(UnaryOperator<JournalOptions> change, String flag) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> change.apply(OK).validate());
        assertTrue(e.getMessage().startsWith(flag), "error names " + flag + ": " + e.getMessage());
    }

    @Test
    void errorsNameTheFlag() {
        assertRejected(o -> new JournalOptions(null, o.segmentBytes(), o.maxGroupWait(), o.maxBatchBytes(),
                o.retainEntries(), o.maxPendingBytes()), "--wal-dir");
        assertRejected(o -> o.withSegmentBytes(1000), "--journal-segment-bytes");
        assertRejected(o -> o.withSegmentBytes((64L << 20) + 1), "--journal-segment-bytes");
        assertRejected(o -> o.withSegmentBytes(2L << 30), "--journal-segment-bytes");
        assertRejected(o -> o.withMaxGroupWait(Duration.ofMillis(-1)), "--journal-max-group-wait");
        assertRejected(o -> o.withMaxGroupWait(Duration.ofSeconds(2)), "--journal-max-group-wait");
        assertRejected(o -> o.withMaxBatchBytes(100), "--journal-max-batch-bytes");
        assertRejected(o -> o.withMaxBatchBytes(128L << 20), "--journal-max-batch-bytes");
        assertRejected(o -> o.withRetainEntries(-1), "--snapshot-catchup-entries");
        assertRejected(o -> o.withMaxPendingBytes(100), "--journal-max-pending-bytes");
    }
}
