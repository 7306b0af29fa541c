package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConnection;

/** The writer connection as group commit holds it for one batch: a normal writer borrow, seen by leak detection. */
interface WriterLease {

    /** The batch's borrow, over which each caller's work gets a view of its own ({@link BatchItemView}). */
    Connection callerView();

    /** The physical connection, for the commit hook and the driver's auto-commit flag. */
    SQLiteConnection raw();

    /** Runs one transaction-control statement (BEGIN IMMEDIATE, COMMIT, ROLLBACK, or of a savepoint) on the physical
     *  connection, each prepared once per connection; a failure is reported to the pool. */
    void exec(String sql) throws SQLException;

    /** The connection must not be lent again (a failed ROLLBACK left its transaction state unknown). */
    void discard();

    /** Gives the writer back; the pool resets it as after any borrow. */
    void release();

    /** The lease over a managed writer borrow: BEGIN, COMMIT and ROLLBACK go through the borrow's own statements. */
    static WriterLease of(ProxyConnection p) {
        return new WriterLease() {
            @Override
            public Connection callerView() {
                return p;
            }

            @Override
            public SQLiteConnection raw() {
                return p.raw;
            }

            @Override
            public void exec(String sql) throws SQLException {
                try {
                    switch (sql) {
                        case "BEGIN IMMEDIATE":
                            p.beginManaged();
                            break;
                        case "COMMIT":
                            p.commitManaged();
                            break;
                        case "ROLLBACK":
                            p.rollbackManaged();
                            break;
                        default:
                            p.entry.tx.savepointStatement(sql);
                    }
                } catch (SQLException e) {
                    throw p.failed(e);
                }
            }

            @Override
            public void discard() {
                p.entry.broken = true;
            }

            @Override
            public void release() {
                p.release();
            }
        };
    }
}
