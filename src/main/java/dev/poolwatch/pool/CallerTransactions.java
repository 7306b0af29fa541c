package dev.poolwatch.pool;

import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * The caller's view of transactions on one borrow: auto-commit is virtual, {@code BEGIN} is issued lazily before the
 * first statement after {@code setAutoCommit(false)} or a {@code commit()}, so a write costs one BEGIN and one
 * COMMIT, not the driver's extra pair. Inside {@code write()} and batched work the pool owns the transaction and
 * refuses the caller's attempts to end it.
 */
abstract class CallerTransactions extends ConnectionBase {
    final SqlitePool pool;
    final PoolEntry entry;
    private boolean autoCommit = true;
    /** A transaction this borrow began (lazily, or by the pool for write()) is open. */
    volatile boolean txOpen;
    /** What the caller's SQL did to the session (SqlSniffer flags), or ProxyConnection.TAINTED. */
    int session;
    boolean isolationChanged;
    private int savepoints;
    /** For a view lent to one caller's batched work: the batch's savepoint, which the work may not release. */
    String batchSavepoint;
    private long txBeganNanos;

    CallerTransactions(SqlitePool pool, PoolEntry entry) {
        super(entry.raw);
        this.pool = pool;
        this.entry = entry;
    }

    /** Tells the listeners a writer transaction was rolled back (its duration is not measured). */
    final void rolledBack() {
        if (entry.role == Role.WRITER) {
            pool.listener().transactionEnded(false, 0);
        }
    }

    /** Inside write() or batched work: the pool owns the transaction. */
    abstract boolean managed();

    /** Begins the caller's transaction before a statement, when auto-commit is off and none is open yet. */
    final void beginIfDue() throws SQLException {
        if (!autoCommit && !txOpen) {
            long t0 = System.nanoTime();
            try {
                entry.tx.begin();
            } catch (SQLException e) {
                throw failed(e);
            }
            txOpen = true;
            txBeganNanos = System.nanoTime();
            if (entry.role == Role.WRITER) {
                pool.listener().writeLockWaited(txBeganNanos - t0);
            }
        }
    }

    private void refuseInManaged(String what) throws SQLException {
        if (batchSavepoint != null) {
            throw new SQLException(what + " is not allowed in batched work (submit/writeBatched): the batch's"
                    + " transaction is shared with other callers and the pool commits it", "25000");
        }
        if (managed()) {
            throw new SQLException(what + " is not allowed inside pool.write(): the pool commits when the callback"
                    + " returns and rolls back when it throws", "25000");
        }
    }

    @Override
    public void setAutoCommit(boolean on) throws SQLException {
        checkOpen();
        refuseInManaged("setAutoCommit()");
        if (on && !autoCommit && txOpen) {
            commit();
        }
        autoCommit = on;
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return autoCommit && !managed();
    }

    @Override
    public synchronized void commit() throws SQLException {
        checkOpen();
        refuseInManaged("commit()");
        if (autoCommit) {
            throw new SQLException("database in auto-commit mode", "25000");
        }
        if (txOpen) {
            try {
                entry.tx.commit();
            } catch (SQLException e) {
                session |= SqlSniffer.OPENS;
                throw failed(e);
            }
            txOpen = false;
            if (entry.role == Role.WRITER) {
                pool.listener().transactionEnded(true, System.nanoTime() - txBeganNanos);
            }
        }
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        refuseInManaged("rollback()");
        if (autoCommit) {
            throw new SQLException("database in auto-commit mode", "25000");
        }
        if (txOpen) {
            txOpen = false;
            try {
                entry.tx.rollback();
            } catch (SQLException e) {
                session |= SqlSniffer.OPENS;
                throw failed(e);
            }
            rolledBack();
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return setSavepoint(null);
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        checkOpen();
        // Like sqlite-jdbc: a savepoint in auto-commit mode turns auto-commit off, so the caller's commit() ends it.
        if (autoCommit && !managed()) {
            autoCommit = false;
        }
        beforeExecute(null);
        int id = ++savepoints;
        PoolSavepoint sp = new PoolSavepoint(id, name);
        execRaw("SAVEPOINT " + sp.quoted());
        return sp;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        execRaw("ROLLBACK TO " + PoolSavepoint.of(savepoint).quoted());
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        execRaw("RELEASE " + PoolSavepoint.of(savepoint).quoted());
    }

    private void execRaw(String sql) throws SQLException {
        try {
            raw.getDatabase().exec(sql, false);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        isolationChanged = true;
        try {
            raw.setTransactionIsolation(level);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        return raw.getTransactionIsolation();
    }
}
