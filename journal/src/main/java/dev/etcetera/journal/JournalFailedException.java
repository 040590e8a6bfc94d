package dev.etcetera.journal;

/**
 * The journal stopped: a write or sync failed (the cause), or it was closed. Fatal for the member:
 * whatever was not acknowledged may or may not be on disk, so the member must stop and restart
 * from what the journal replays.
 */
public final class JournalFailedException extends IllegalStateException {

    public JournalFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
