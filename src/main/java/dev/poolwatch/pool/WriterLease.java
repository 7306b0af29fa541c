package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConnection;

/** The writer connection as group commit holds it for one batch: a normal writer borrow, seen by leak detection. */
interface WriterLease {

    /** The view lent to callers' work: it refuses {@code commit()}, {@code rollback()} and {@code setAutoCommit()}. */
    Connection callerView();

    /** The physical connection, for the commit hook and the driver's auto-commit flag. */
    SQLiteConnection raw();

    /** Runs one transaction-control statement on the physical connection; a failure is reported to the pool. */
    void exec(String sql) throws SQLException;

    /** The connection must not be lent again (a failed ROLLBACK left its transaction state unknown). */
    void discard();

    /** Gives the writer back; the pool resets it as after any borrow. */
    void release();

    /** The lease over a borrow of today's pool ({@code borrow(Role.WRITER, scoped, managedTransaction)}). */
    static WriterLease of(ConnectionHandle h) {
        return new WriterLease() {
            @Override
            public Connection callerView() {
                return h.proxy;
            }

            @Override
            public SQLiteConnection raw() {
                return (SQLiteConnection) h.pc.raw;
            }

            @Override
            public void exec(String sql) throws SQLException {
                try {
                    raw().getDatabase().exec(sql, true);
                } catch (SQLException e) {
                    h.reportError(e);
                    throw e;
                }
            }

            @Override
            public void discard() {
                h.pc.broken = true;
            }

            @Override
            public void release() {
                h.release();
            }
        };
    }
}
