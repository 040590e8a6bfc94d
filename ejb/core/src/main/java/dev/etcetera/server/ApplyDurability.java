package dev.etcetera.server;

/**
 * How the apply stage makes an applied batch durable, and who learns that it did.
 *
 * <p>Without a journal every backend commit is synced: the backend is the durability point
 * ({@link #SYNC_EVERY_COMMIT}). With a journal the entries are durable before they are applied, so
 * backend commits need not be synced; the journal asks for a synced commit now and then
 * ({@link #syncCommit}) so that it can release what that commit covers ({@link #committed}).
 *
 * <p>Threads: both methods are called on the apply thread only, in applied-index order; they must
 * not block for long (they delay every caller waiting for its write).
 */
public interface ApplyDurability {

    /** Every backend commit is synced; nobody is told. */
    ApplyDurability SYNC_EVERY_COMMIT = new ApplyDurability() {
        @Override
        public boolean syncCommit(long appliedIndex) {
            return true;
        }

        @Override
        public void committed(long appliedIndex, long term, boolean synced) {
        }
    };

    /**
     * Whether the backend commit that records {@code appliedIndex} as the consistent index must be
     * forced to stable storage.
     */
    boolean syncCommit(long appliedIndex);

    /**
     * The backend committed the batch that records {@code appliedIndex} (of {@code term}); with
     * {@code synced}, that batch and every earlier one are on stable storage.
     */
    void committed(long appliedIndex, long term, boolean synced);
}
