package dev.etcetera.mvcc;

/**
 * A point in the store's history, as etcd numbers it: {@code main} is the store revision a write
 * transaction produced (one per Put, DeleteRange or write Txn), {@code sub} the position of the change
 * within that transaction (0, 1, ...). Revisions order by main, then sub.
 */
public record Revision(long main, long sub) implements Comparable<Revision> {

    public Revision {
        if (main < 0 || sub < 0) {
            throw new IllegalArgumentException("negative revision " + main + "_" + sub);
        }
    }

    @Override
    public int compareTo(Revision o) {
        int c = Long.compare(main, o.main);
        return c != 0 ? c : Long.compare(sub, o.sub);
    }

    @Override
    public String toString() {
        return main + "_" + sub;
    }
}
