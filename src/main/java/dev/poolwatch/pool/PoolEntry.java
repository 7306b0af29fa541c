package dev.poolwatch.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.sqlite.SQLiteConnection;

/**
 * A physical SQLite connection and what the pool knows about it. Its state word is the one thing borrowers race
 * for: a reader is taken with one compare-and-set from FREE to IN_USE and given back with one store.
 * What belongs to a single borrow (who holds it, since when, whether it was reported) lives on that borrow's
 * {@link ProxyConnection}, never here, so nothing of one borrow can be mistaken for the next.
 */
final class PoolEntry {
    static final int FREE = 0;
    static final int IN_USE = 1;
    /** Taken by the housekeeper or a lifecycle operation to be closed; no borrower can have it. */
    static final int RESERVED = 2;
    static final int REMOVED = 3;

    private static final VarHandle STATE;
    private static final VarHandle BORROW;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PoolEntry.class, "state", int.class);
            BORROW = MethodHandles.lookup().findVarHandle(PoolEntry.class, "borrow", ProxyConnection.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final SQLiteConnection raw;
    final Role role;
    final long createdNanos;
    final int generation;
    final Transactions tx;
    /** Prepared statements callers closed on this connection, kept for the next borrower's same SQL. */
    final StatementCache statements = new StatementCache();

    private volatile int state;
    /**
     * When it last went back to FREE; read to decide on validation and idle retirement. Plain: written before the
     * release store of the state, read after an acquire of it.
     */
    long freeSinceNanos;
    /** The borrow that holds it now, null while free; read by leak detection and stats on other threads. */
    volatile ProxyConnection borrow;
    /** The wal_autocheckpoint this writer connection runs with, -1 before the pool set it. */
    int autoCheckpointApplied = -1;
    /** Raised an error that means it must not be handed out again. */
    volatile boolean broken;

    PoolEntry(SQLiteConnection raw, Role role, long createdNanos, int generation) {
        this.raw = raw;
        this.role = role;
        this.createdNanos = createdNanos;
        this.generation = generation;
        this.freeSinceNanos = createdNanos;
        this.tx = new Transactions(raw, role);
        this.state = IN_USE;
    }

    /** Publishes the borrow without the full fence of a volatile write: its readers only report on it. */
    void lend(ProxyConnection p) {
        BORROW.setRelease(this, p);
    }

    int state() {
        return state;
    }

    boolean compareAndSet(int expected, int next) {
        return STATE.compareAndSet(this, expected, next);
    }

    /** Back to FREE; release semantics are enough, since a borrower's CAS is what publishes it again. */
    void setFree(long nowNanos) {
        freeSinceNanos = nowNanos;
        STATE.setRelease(this, FREE);
    }

    void setRemoved() {
        STATE.setVolatile(this, REMOVED);
    }

    @Override
    public String toString() {
        return role.tag() + "@" + Integer.toHexString(System.identityHashCode(this));
    }
}
