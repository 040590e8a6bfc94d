package dev.etcetera.storage.je;

import com.google.protobuf.InvalidProtocolBufferException;
import com.sleepycat.je.Cursor;
import com.sleepycat.je.CursorConfig;
import com.sleepycat.je.Database;
import com.sleepycat.je.DatabaseConfig;
import com.sleepycat.je.DatabaseEntry;
import com.sleepycat.je.Durability;
import com.sleepycat.je.Environment;
import com.sleepycat.je.EnvironmentConfig;
import com.sleepycat.je.EnvironmentStats;
import com.sleepycat.je.LockMode;
import com.sleepycat.je.OperationStatus;
import com.sleepycat.je.Put;
import com.sleepycat.je.StatsConfig;
import com.sleepycat.je.Transaction;
import com.sleepycat.je.TransactionConfig;
import dev.etcetera.api.mvccpb.KeyValue;
import dev.etcetera.mvcc.Backend;
import dev.etcetera.mvcc.Revision;
import dev.etcetera.mvcc.StoredRevision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The MVCC {@link Backend} on Berkeley DB JE: one transactional environment with a "key" database
 * (revision -> KeyValue) and a "meta" database (see the package documentation for the bytes).
 *
 * <p>Threads: reads ({@link #read}, {@link #scan}, {@link #forEach}) use no transaction and no
 * locks ({@code READ_UNCOMMITTED}); that is safe because the store only asks for revisions it has
 * published, which are committed and never change, and treats a missing one as compacted. Writes go
 * through one JE transaction per {@link Batch}, on the apply thread. A synced commit forces JE's log
 * to disk ({@code COMMIT_SYNC}); an unsynced one ({@code COMMIT_NO_SYNC}) becomes durable with the
 * next synced one, because JE's log is written and recovered in order.
 *
 * <p>Errors: JE exceptions propagate unchecked; after one the environment may be invalid and the
 * member must stop.
 */
public final class JeBackend implements Backend {
    /** JE cache size used when none is given: enough for the index nodes of a few million revisions. */
    public static final long DEFAULT_CACHE_BYTES = 64L * 1024 * 1024;
    private static final String KEY_DB = "key";
    private static final String META_DB = "meta";
    /** etcd's "lease" bucket: lease ID (8 bytes big-endian) -> the lease package's record. */
    private static final String LEASE_DB = "lease";
    private static final long SIZE_REFRESH_NANOS = 1_000_000_000L;

    private final Environment env;
    private final Database keys;
    private final Database meta;
    private final Database leases;
    private volatile boolean batchOpen;
    /** The last refreshed figures, both from one stats call; replaced whole, never in parts. */
    private volatile Sizes cachedSizes = new Sizes(0, 0);
    /** When the size was last refreshed (or a refresh claimed), System.nanoTime(). */
    private final java.util.concurrent.atomic.AtomicLong sizeRefreshedAt = new java.util.concurrent.atomic.AtomicLong();

    private JeBackend(Environment env, Database keys, Database meta, Database leases) {
        this.env = env;
        this.keys = keys;
        this.meta = meta;
        this.leases = leases;
        refreshSize();
    }

    /** Opens (creating if needed) the environment in {@code dir} with the default cache size. */
    public static JeBackend open(Path dir) {
        return open(dir, DEFAULT_CACHE_BYTES);
    }

    /**
     * Opens (creating if needed) the environment in {@code dir}. JE runs recovery if the previous
     * process did not close it cleanly.
     *
     * @param cacheBytes JE's cache size (etcd has no equivalent; bbolt relies on the page cache)
     */
    public static JeBackend open(Path dir, long cacheBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        EnvironmentConfig ec = new EnvironmentConfig();
        ec.setAllowCreate(true);
        ec.setTransactional(true);
        ec.setCacheSize(cacheBytes);
        ec.setDurability(Durability.COMMIT_SYNC);
        Environment env = new Environment(dir.toFile(), ec);
        try {
            DatabaseConfig dc = new DatabaseConfig();
            dc.setAllowCreate(true);
            dc.setTransactional(true);
            Database keys = env.openDatabase(null, KEY_DB, dc);
            Database meta = env.openDatabase(null, META_DB, dc);
            Database leases = env.openDatabase(null, LEASE_DB, dc);
            return new JeBackend(env, keys, meta, leases);
        } catch (RuntimeException e) {
            env.close();
            throw e;
        }
    }

    @Override
    public KeyValue read(Revision revision) {
        DatabaseEntry data = new DatabaseEntry();
        OperationStatus st = keys.get(null, new DatabaseEntry(RevisionKeys.encode(revision, false)), data,
                LockMode.READ_UNCOMMITTED);
        return st == OperationStatus.SUCCESS ? parse(data) : null;
    }

    @Override
    public List<StoredRevision> scan(Revision from, long maxMain, int limit) {
        List<StoredRevision> out = new ArrayList<>(Math.min(limit, 1024));
        DatabaseEntry key = new DatabaseEntry(RevisionKeys.encode(from, false));
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor c = keys.openCursor(null, CursorConfig.READ_UNCOMMITTED)) {
            OperationStatus st = c.getSearchKeyRange(key, data, LockMode.READ_UNCOMMITTED);
            while (st == OperationStatus.SUCCESS && out.size() < limit) {
                StoredRevision r = record(key, data);
                if (r.revision().main() > maxMain) {
                    break;
                }
                out.add(r);
                st = c.getNext(key, data, LockMode.READ_UNCOMMITTED);
            }
        }
        return out;
    }

    @Override
    public void forEach(Consumer<StoredRevision> visitor) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        try (Cursor c = keys.openCursor(null, CursorConfig.READ_UNCOMMITTED)) {
            while (c.getNext(key, data, LockMode.READ_UNCOMMITTED) == OperationStatus.SUCCESS) {
                visitor.accept(record(key, data));
            }
        }
    }

    private static StoredRevision record(DatabaseEntry key, DatabaseEntry data) {
        Revision rev = RevisionKeys.decode(key.getData(), key.getOffset(), key.getSize());
        boolean tombstone = RevisionKeys.isTombstone(key.getSize());
        KeyValue kv = parse(data);
        if (kv.getModRevision() != rev.main()) {
            throw new IllegalStateException("corrupt record at " + rev + ": mod_revision " + kv.getModRevision());
        }
        return new StoredRevision(rev, tombstone, kv);
    }

    private static KeyValue parse(DatabaseEntry data) {
        try {
            return KeyValue.parseFrom(java.nio.ByteBuffer.wrap(data.getData(), data.getOffset(), data.getSize()));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt KeyValue record", e);
        }
    }

    @Override
    public void forEachLease(java.util.function.BiConsumer<Long, byte[]> visitor) {
        DatabaseEntry key = new DatabaseEntry();
        DatabaseEntry data = new DatabaseEntry();
        // at start only, before any batch: committed records are all there is
        try (Cursor c = leases.openCursor(null, CursorConfig.READ_COMMITTED)) {
            while (c.getNext(key, data, LockMode.DEFAULT) == OperationStatus.SUCCESS) {
                if (key.getSize() != 8) {
                    throw new IllegalStateException("corrupt lease key of " + key.getSize() + " bytes");
                }
                byte[] value = java.util.Arrays.copyOfRange(data.getData(), data.getOffset(), data.getOffset() + data.getSize());
                visitor.accept(RevisionKeys.getLong(key.getData(), key.getOffset()), value);
            }
        }
    }

    private static DatabaseEntry leaseKey(long id) {
        byte[] b = new byte[8];
        RevisionKeys.putLong(b, 0, id);
        return new DatabaseEntry(b);
    }

    @Override
    public long meta(Meta key) {
        DatabaseEntry data = new DatabaseEntry();
        OperationStatus st = meta.get(null, metaKey(key), data, LockMode.READ_COMMITTED);
        if (st != OperationStatus.SUCCESS) {
            return 0;
        }
        if (data.getSize() != 8) {
            throw new IllegalStateException("corrupt meta value for " + key);
        }
        return RevisionKeys.getLong(data.getData(), data.getOffset());
    }

    private static DatabaseEntry metaKey(Meta key) {
        return new DatabaseEntry(key.name().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public Batch begin() {
        if (batchOpen) {
            throw new IllegalStateException("a batch is already open");
        }
        batchOpen = true;
        TransactionConfig tc = new TransactionConfig();
        return new JeBatch(env.beginTransaction(null, tc));
    }

    @Override
    public Sizes sizes() {
        maybeRefreshSize();
        return cachedSizes;
    }

    /**
     * Every put checks the quota, so under load many request threads find the size stale at once:
     * only the one that wins the claim refreshes, the others use the cached figure (at most a
     * second old, as before) instead of queueing on the lock to refresh it again each in turn.
     */
    private void maybeRefreshSize() {
        long at = sizeRefreshedAt.get();
        long now = System.nanoTime();
        if (now - at > SIZE_REFRESH_NANOS && sizeRefreshedAt.compareAndSet(at, now)) {
            refreshSize();
        }
    }

    /** JE's log size is cheap to ask for but not free: it is refreshed at most once a second. */
    private synchronized void refreshSize() {
        if (!env.isValid()) {
            return;
        }
        StatsConfig sc = new StatsConfig();
        sc.setFast(true);
        EnvironmentStats stats = env.getStats(sc);
        long total = stats.getTotalLogSize();
        cachedSizes = new Sizes(total, Math.min(total, Math.max(0, stats.getActiveLogSize())));
        sizeRefreshedAt.set(System.nanoTime());
    }

    /** The JE environment, for snapshots and diagnostics by the storage module. */
    Environment environment() {
        return env;
    }

    @Override
    public void close() {
        if (batchOpen) {
            throw new IllegalStateException("close with a batch open");
        }
        try {
            keys.close();
            meta.close();
            leases.close();
        } finally {
            env.close();
        }
    }

    private final class JeBatch implements Batch {
        private final Transaction txn;
        /**
         * One cursor on the revision database for all the batch's puts: {@code Database.put} would
         * open and close a cursor (and check the cache for eviction) per record. Closed before the
         * transaction ends, as JE requires.
         */
        private Cursor revisions;
        private boolean done;

        JeBatch(Transaction txn) {
            this.txn = txn;
        }

        @Override
        public void put(Revision revision, boolean tombstone, KeyValue kv) {
            if (revisions == null) {
                revisions = keys.openCursor(txn, null);
            }
            revisions.put(new DatabaseEntry(RevisionKeys.encode(revision, tombstone)), new DatabaseEntry(kv.toByteArray()),
                    Put.OVERWRITE, null);
        }

        @Override
        public void delete(Revision revision, boolean tombstone) {
            keys.delete(txn, new DatabaseEntry(RevisionKeys.encode(revision, tombstone)));
        }

        @Override
        public void putMeta(Meta key, long value) {
            byte[] b = new byte[8];
            RevisionKeys.putLong(b, 0, value);
            meta.put(txn, metaKey(key), new DatabaseEntry(b));
        }

        @Override
        public void putLease(long id, byte[] record) {
            leases.put(txn, leaseKey(id), new DatabaseEntry(record));
        }

        @Override
        public void deleteLease(long id) {
            leases.delete(txn, leaseKey(id));
        }

        @Override
        public void commit(boolean sync) {
            finish();
            txn.commit(sync ? Durability.COMMIT_SYNC : Durability.COMMIT_NO_SYNC);
        }

        @Override
        public void abort() {
            boolean open = !done;
            try {
                finish();
            } finally {
                if (open) {
                    txn.abort(); // also when closing the cursor failed
                }
            }
        }

        private void finish() {
            if (done) {
                throw new IllegalStateException("batch already finished");
            }
            done = true;
            batchOpen = false;
            if (revisions != null) {
                Cursor c = revisions;
                revisions = null;
                c.close();
            }
        }
    }
}
