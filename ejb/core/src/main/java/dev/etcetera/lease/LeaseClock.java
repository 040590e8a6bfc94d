package dev.etcetera.lease;

/**
 * The lessor's time source: a monotonic count of nanoseconds (only differences matter). Injected so
 * tests drive expiry with a fake clock; the member uses {@link #SYSTEM}.
 */
@FunctionalInterface
public interface LeaseClock {

    /** {@link System#nanoTime()}. */
    LeaseClock SYSTEM = System::nanoTime;

    long nanos();
}
