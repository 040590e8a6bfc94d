package dev.etcetera.lease;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link LeaseClock} that moves only when a test says so. Starts at an arbitrary large value. */
public final class FakeClock implements LeaseClock {
    private final AtomicLong now = new AtomicLong(7_000_000_000_000L);

    @Override
    public long nanos() {
        return now.get();
    }

    public void advance(long amount, TimeUnit unit) {
        now.addAndGet(unit.toNanos(amount));
    }

    public void advanceMillis(long ms) {
        advance(ms, TimeUnit.MILLISECONDS);
    }
}
