package dev.etcetera.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Completion and wake-up of waiters (see {@link WakeList}): futures complete in call order and
 * only after the sync that covers them; the threads parked on them are woken in a cascade, and
 * every one of them is woken, whichever of them left their wait early.
 */
class WakeCascadeTest {

    @TempDir
    Path dir;

    private final AtomicReference<Throwable> fatal = new AtomicReference<>();

    private FileJournal open(Failpoint fp) throws IOException {
        return FileJournal.open(JournalOptions.defaults(dir).withSegmentBytes(1L << 20).withMaxBatchBytes(1L << 20),
                fatal::set, fp);
    }

    /** Bounded wait for a condition another thread brings about; fails naming what it waited for. */
    private static void awaitCondition(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out after 30 s waiting for: " + what);
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Starts a thread (virtual when {@code virtual}) that waits for {@code f} with get(60 s). */
    private static Thread waiter(JournalFuture f, boolean virtual, List<Throwable> errors, CountDownLatch done) {
        Thread.Builder b = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        return b.start(() -> {
            try {
                f.get(60, TimeUnit.SECONDS);
            } catch (Throwable e) {
                errors.add(e);
            } finally {
                done.countDown();
            }
        });
    }

    /**
     * 64 threads (half virtual) parked on 64 futures; the futures are completed into one wake
     * list and only two are woken directly: the cascade must reach all. Two traps: the list
     * starts with two entries whose thread is gone (a claimer that counted them as woken would
     * stop the cascade at once), and the last four waiters leave their wait before the list is
     * published (interrupted after their future completed): their attempt to pass wake-ups on
     * must not use up entries of threads still parked.
     */
    @Test
    void everyParkedWaiterIsWokenThroughTheCascade() throws Exception {
        int n = 64;
        int gone = 2;
        int leftEarly = 4;
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        try (FileJournal j = open(Failpoint.NONE)) {
            List<JournalFuture> futures = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                JournalFuture f = new JournalFuture(j);
                futures.add(f);
                threads.add(waiter(f, i % 2 == 1, errors, done));
            }
            awaitCondition("all 64 waiters to park on their futures",
                    () -> futures.stream().allMatch(f -> f.waiter() != null));
            WakeList wakes = new WakeList(gone + n);
            for (int i = 0; i < gone; i++) {
                JournalFuture noWaiter = new JournalFuture(j);
                noWaiter.complete(null);
                wakes.add(noWaiter);
            }
            for (JournalFuture f : futures) {
                f.completeInto(wakes);
            }
            for (int i = n - leftEarly; i < n; i++) {
                threads.get(i).interrupt(); // unparks it: it sees its future done and leaves
            }
            awaitCondition("the last 4 waiters to leave their wait",
                    () -> futures.subList(n - leftEarly, n).stream().allMatch(f -> f.waiter() == null));
            assertEquals(n - leftEarly, done.getCount(), "only the interrupted waiters returned before the wake-ups");
            wakes.publish();
            assertEquals(gone + n, wakes.size(), "every waiter was parked when its future completed");
            wakes.wake(WakeList.FANOUT);
            assertTrue(done.await(20, TimeUnit.SECONDS), done.getCount() + " of " + n
                    + " waiters were never woken within 20 s");
            assertEquals(List.of(), errors);
        }
    }

    /**
     * Many platform and virtual appenders wait while the sync thread's fdatasync is held: none of
     * their futures completes before it is let go; then all complete, in call order, and all
     * waiting threads return.
     */
    @Test
    void noFutureCompletesBeforeTheSyncThatCoversItAndAllWaitersWake() throws Exception {
        int n = 96;
        AtomicBoolean hold = new AtomicBoolean(true);
        CountDownLatch syncReached = new CountDownLatch(1);
        CountDownLatch syncOpen = new CountDownLatch(1);
        Failpoint fp = name -> {
            if (name.equals("before-sync") && hold.compareAndSet(true, false)) {
                syncReached.countDown();
                try {
                    assertTrue(syncOpen.await(60, TimeUnit.SECONDS), "test did not open the sync gate");
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Long> completed = Collections.synchronizedList(new ArrayList<>());
        try (FileJournal j = open(fp)) {
            List<CompletableFuture<Void>> futures = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(n);
            Object order = new Object();
            for (int i = 1; i <= n; i++) {
                long index = i;
                CompletableFuture<Void> f;
                synchronized (order) {
                    f = j.append(JournalBatch.of(List.of(Entries.entry(index, 1, 256))));
                }
                f.thenRun(() -> completed.add(index));
                futures.add(f);
                if (i == 1) {
                    assertTrue(syncReached.await(30, TimeUnit.SECONDS), "the first sync was not reached within 30 s");
                }
                waiter((JournalFuture) f, i % 2 == 0, errors, done);
            }
            awaitCondition("all waiters to park", () -> futures.stream().allMatch(
                    f -> ((JournalFuture) f).waiter() != null));
            assertTrue(futures.stream().noneMatch(CompletableFuture::isDone), "a future completed before its sync");
            assertEquals(List.of(), completed);
            syncOpen.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS), done.getCount() + " waiters did not return within 30 s");
            assertEquals(List.of(), errors);
            for (int i = 0; i < n; i++) {
                assertEquals(i + 1, completed.get(i), "completion order at position " + i);
            }
            assertEquals(n, j.replay(1).entries().size());
        }
        assertNull(fatal.get());
    }

    /** A failed sync completes every parked waiter's future exceptionally and wakes them. */
    @Test
    void aFailedSyncWakesEveryParkedWaiter() throws Exception {
        int n = 32;
        AtomicBoolean hold = new AtomicBoolean(true);
        CountDownLatch syncReached = new CountDownLatch(1);
        CountDownLatch syncOpen = new CountDownLatch(1);
        Failpoint fp = name -> {
            if (name.equals("before-sync") && hold.compareAndSet(true, false)) {
                syncReached.countDown();
                try {
                    assertTrue(syncOpen.await(60, TimeUnit.SECONDS), "test did not open the sync gate");
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                throw new IOException("injected fdatasync failure");
            }
        };
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        try (FileJournal j = open(fp)) {
            List<JournalFuture> futures = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(n);
            for (int i = 1; i <= n; i++) {
                JournalFuture f = (JournalFuture) j.append(JournalBatch.of(List.of(Entries.entry(i, 1, 64))));
                futures.add(f);
                if (i == 1) {
                    assertTrue(syncReached.await(30, TimeUnit.SECONDS), "the first sync was not reached within 30 s");
                }
                waiter(f, i % 2 == 0, errors, done);
            }
            awaitCondition("all waiters to park", () -> futures.stream().allMatch(f -> f.waiter() != null));
            syncOpen.countDown();
            assertTrue(done.await(30, TimeUnit.SECONDS), done.getCount() + " waiters did not return within 30 s");
            assertEquals(n, errors.size(), "every waiter saw the failure");
            assertTrue(errors.stream().allMatch(e -> e instanceof java.util.concurrent.ExecutionException
                    && e.getCause() instanceof JournalFailedException), "failures: " + errors);
        }
        assertFalse(fatal.get() == null, "the fatal handler was told");
    }
}
