package dev.poolwatch.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.ArrayList;
import java.util.concurrent.Executor;

/**
 * One borrow of a physical connection: what the caller holds until {@code close()}. It owns the borrow's state
 * (holder, start, leak report, the statements it opened, what its SQL did to the session) and its life cycle; the
 * caller's view of transactions is in {@link CallerTransactions}.
 */
final class ProxyConnection extends CallerTransactions {

    /** Lent to a callback of read() or write(): close() only stops it working, the pool gives it back after. */
    static final int SCOPED = 1;
    /** Inside write(): the pool owns the transaction, so the caller may not end it. */
    static final int MANAGED = 2;

    static final int OPEN = 0;
    /** A scoped handle the caller closed; the pool has not taken it back yet. */
    static final int CALLER_CLOSED = 1;
    static final int RETURNED = 2;
    static final int RECLAIMED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(ProxyConnection.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int mode;
    final boolean observed;
    final long borrowedNanos;
    final Thread borrower;
    final Throwable borrowSite;
    volatile boolean leakReported;

    private volatile int state;
    static final int TAINTED = 8;
    private ArrayList<AutoCloseable> open;
    private ProxyDatabaseMetaData metaData;

    ProxyConnection(SqlitePool pool, PoolEntry entry, int mode, boolean observed, long nowNanos, boolean captureSite) {
        super(pool, entry);
        this.mode = mode;
        this.observed = observed;
        this.borrowedNanos = nowNanos;
        this.borrower = Thread.currentThread();
        this.borrowSite = captureSite ? new Throwable("connection borrowed here") : null;
    }

    boolean scoped() {
        return (mode & SCOPED) != 0;
    }

    @Override
    boolean managed() {
        return (mode & MANAGED) != 0;
    }

    int state() {
        return state;
    }

    /** Ends the borrow for the caller; true for the one caller that must now give the entry back. */
    boolean finish(int to) {
        for (;;) {
            int s = state;
            if (s == RETURNED || s == RECLAIMED) {
                return false;
            }
            if (STATE.compareAndSet(this, s, to)) {
                return true;
            }
        }
    }

    /**
     * Takes the borrow away from its holder, unless it ended first. Synchronized with {@link #commit()} so that a
     * commit either finished before (and the log says nothing was rolled back) or is refused after.
     */
    synchronized boolean reclaim() {
        return finish(RECLAIMED);
    }

    /** The pool's BEGIN for write(). */
    void beginManaged() throws SQLException {
        entry.tx.begin();
        txOpen = true;
    }

    /** The pool's COMMIT for write(); refused once the borrow was reclaimed, so a reclaimed write never commits. */
    synchronized void commitManaged() throws SQLException {
        if (state == RECLAIMED) {
            throw closedError();
        }
        entry.tx.commit();
        txOpen = false;
    }

    /** The pool's ROLLBACK for write(); none being open is fine. */
    void rollbackManaged() throws SQLException {
        txOpen = false;
        entry.tx.rollback();
    }

    /** The pool gives it back at the end of read()/write(). */
    void release() {
        if (finish(RETURNED)) {
            pool.broker().giveBack(this);
        }
    }

    ArrayList<AutoCloseable> takeOpen() {
        ArrayList<AutoCloseable> o = open;
        open = null;
        return o;
    }

    @Override
    void checkOpen() throws SQLException {
        if (state != OPEN) {
            throw closedError();
        }
    }

    @Override
    void taint() {
        session |= TAINTED;
    }

    private SQLException closedError() {
        if (batchSavepoint != null) {
            return new SQLException("the batched work this connection was lent to has ended; it can no longer be used",
                    "08003");
        }
        return new SQLException(state == RECLAIMED
                ? "connection was reclaimed by pool '" + pool.name() + "' after it was held too long; its transaction was rolled back"
                : "connection was returned to pool '" + pool.name() + "' and can no longer be used", "08003");
    }

    // ---------------------------------------------------------------- JdbcOwner

    @Override
    public Connection connection() {
        return this;
    }

    @Override
    public void beforeExecute(String sql) throws SQLException {
        checkOpen();
        if (sql != null) {
            checkSql(sql);
        }
        beginIfDue();
    }

    @Override
    public void noteSql(String sql) {
        session |= SqlSniffer.classify(sql);
    }

    /** Notes what the SQL does to the session, and refuses transaction control inside a managed transaction. */
    @Override
    int checkSql(String sql) throws SQLException {
        int flags = SqlSniffer.classify(sql);
        session |= flags;
        if (managed() && (flags & (SqlSniffer.ENDS | SqlSniffer.BEGINS | SqlSniffer.OPENS)) != 0) {
            String why = TransactionControl.refusal(sql, batchSavepoint);
            if (why != null) {
                throw new SQLException(batchSavepoint != null ? why : "transaction control SQL (BEGIN, COMMIT, END,"
                        + " ROLLBACK) is not allowed inside pool.write(): the pool commits when the callback returns"
                        + " and rolls back when it throws", "25000");
            }
        }
        return flags;
    }

    @Override
    StatementCache statements() {
        return entry.statements;
    }

    @Override
    int statementCacheSize() {
        return pool.config().statementCacheSize();
    }

    /** A view of this managed writer borrow for one caller's batched work. */
    ProxyConnection itemView(String savepoint) {
        ProxyConnection view = new ProxyConnection(pool, entry, SCOPED | MANAGED, false, borrowedNanos, false);
        view.batchSavepoint = savepoint;
        view.txOpen = true;
        return view;
    }

    /** The batched work that had {@code view} ended: its statements close, and what it did to the session counts here. */
    void endItem(ProxyConnection view) {
        view.finish(RETURNED);
        ArrayList<AutoCloseable> open = view.takeOpen();
        if (open != null) {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception | Error e) {
                    session |= TAINTED;
                }
            }
        }
        session |= view.session;
        isolationChanged |= view.isolationChanged;
    }

    @Override
    public SQLException failed(SQLException e) {
        pool.broker().errors.onError(entry, e);
        return e;
    }

    @Override
    public void track(AutoCloseable wrapper) {
        if (open == null) {
            open = new ArrayList<>();
        }
        open.add(wrapper);
    }

    @Override
    public void untrack(AutoCloseable wrapper) {
        ArrayList<AutoCloseable> o = open;
        if (o != null) {
            for (int i = o.size() - 1; i >= 0; i--) {
                if (o.get(i) == wrapper) {
                    o.remove(i);
                    return;
                }
            }
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        if (metaData == null) {
            try {
                metaData = new ProxyDatabaseMetaData(this, raw.getMetaData());
            } catch (SQLException e) {
                throw failed(e);
            }
        }
        return metaData;
    }

    // ---------------------------------------------------------------- life cycle

    @Override
    public void close() {
        if (scoped()) {
            STATE.compareAndSet(this, OPEN, CALLER_CLOSED);
        } else {
            release();
        }
    }

    @Override
    public boolean isClosed() {
        return state != OPEN;
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("timeout must be 0 or more seconds, was " + timeout);
        }
        return state == OPEN && raw.isValid(timeout);
    }

    /** Stops whatever runs on the connection and discards it; the holder's transaction is rolled back. */
    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort needs an executor");
        }
        if (finish(RETURNED)) {
            pool.broker().discard(this, executor, PoolListener.CloseReason.BROKEN);
        }
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        if (readOnly != (entry.role == Role.READER)) {
            throw new SQLFeatureNotSupportedException("pool '" + pool.name() + "': " + entry.role.tag()
                    + " connections are " + (entry.role == Role.READER ? "read-only" : "read-write")
                    + "; borrow from pool." + (readOnly ? "reader()" : "writer()") + " instead", "0A000");
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return entry.role == Role.READER;
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        checkOpen();
        if (batchSavepoint != null) {
            throw new SQLException("unwrap() to the driver is not allowed in batched work (submit/writeBatched): the"
                    + " connection's transaction is shared with other callers", "25000");
        }
        if (iface.isInstance(raw) || raw.isWrapperFor(iface)) {
            // The caller can now change anything behind the pool's back (busy timeout, functions, auto-commit):
            // this physical connection is closed when the borrow ends instead of being handed to someone else.
            session |= TAINTED;
            return iface.isInstance(raw) ? iface.cast(raw) : raw.unwrap(iface);
        }
        throw new SQLException("pool connection is not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.isInstance(raw) || raw.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "poolwatch " + entry.role.tag() + " connection of pool '" + pool.name() + "'"
                + (state != OPEN ? " (returned)" : "");
    }

}
