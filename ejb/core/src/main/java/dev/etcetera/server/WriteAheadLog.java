package dev.etcetera.server;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The port through which a single member makes each proposal durable before applying it
 * (etcd's WAL; the journal adapter lives in {@code ejb/storage}). The consumer is
 * {@link WalProposer}; the backend commits of the apply stage then need no sync
 * ({@link ApplyDurability}, which this port also is).
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #replay} is called once, at start, before the first {@link #append}.</li>
 *   <li>{@link #append} is called with consecutive indexes, within a call and across calls (the
 *       caller serialises the calls); the returned futures complete in call order, normally only
 *       once the call's entries and every earlier one are on stable storage, exceptionally (for
 *       that call and every later one) once the log failed. A failure is fatal: the log never
 *       accepts anything again.</li>
 * </ul>
 * Thread-safe.
 */
public interface WriteAheadLog extends ApplyDurability, AutoCloseable {

    /**
     * The entries durably logged after {@code appliedIndex}, ascending and consecutive from
     * {@code appliedIndex + 1}; afterwards the log accepts appends at the index after the last one
     * returned (or at {@code appliedIndex + 1} when none is).
     *
     * @param appliedIndex the consistent index the backend holds (its effects are durable there)
     * @param appliedTerm  the term of that entry
     * @throws IllegalStateException if the log cannot be read or does not hold every entry after
     *         {@code appliedIndex} it once acknowledged (the member must not start)
     */
    List<CommittedEntry> replay(long appliedIndex, long appliedTerm);

    /**
     * Queues {@code entries} (consecutive, non-empty; the list is the caller's, the log copies what
     * it keeps); one future for all of them. See the class comment for ordering and durability.
     */
    CompletableFuture<Void> append(List<CommittedEntry> entries);

    /** Waits for queued appends to become durable (completing their futures), then releases the log. */
    @Override
    void close();
}
