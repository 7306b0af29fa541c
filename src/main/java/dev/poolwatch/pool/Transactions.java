package dev.poolwatch.pool;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.SafeStmtPtr;

/**
 * The transaction statements of one physical connection, prepared once and stepped directly. Going through
 * {@code exec} would prepare them afresh each time, and going through JDBC would make the driver step its own hidden
 * {@code begin;}/{@code commit;} pair after each. The driver's auto-commit flag is never touched: the pool and the
 * caller-facing wrapper decide where transactions begin and end.
 */
final class Transactions {
    private static final int SQLITE_DONE = 101;
    private static final int SQLITE_ERROR = 1;
    private static final SafeStmtPtr.SafePtrIntFunction<SQLException> STEP = (db, ptr) -> {
        int rc = db.step(ptr);
        db.reset(ptr);
        return rc;
    };

    private final SQLiteConnection raw;
    private final String beginSql;
    private SafeStmtPtr begin;
    private SafeStmtPtr probe;
    private SafeStmtPtr commit;
    private SafeStmtPtr rollback;
    /** Group commit's SAVEPOINT, RELEASE and ROLLBACK TO of its one savepoint name. */
    private final HashMap<String, SafeStmtPtr> savepoints = new HashMap<>(4);

    Transactions(SQLiteConnection raw, Role role) {
        this.raw = raw;
        // The writer takes the write lock at once: a DEFERRED transaction that reads and then writes fails with
        // SQLITE_BUSY without calling the busy handler. Readers only need a snapshot.
        this.beginSql = role == Role.WRITER ? "BEGIN IMMEDIATE" : "BEGIN";
    }

    private SafeStmtPtr prepare(String sql) throws SQLException {
        PreparedStatement ps = raw.prepareStatement(sql);
        return ((CoreStatement) ps).pointer;
    }

    void begin() throws SQLException {
        if (begin == null) {
            begin = prepare(beginSql);
        }
        check(begin.safeRunInt(STEP), beginSql);
    }

    void commit() throws SQLException {
        if (commit == null) {
            commit = prepare("COMMIT");
        }
        check(commit.safeRunInt(STEP), "COMMIT");
    }

    /** Rolls back whatever is open; none being open is fine (SQLite ends the transaction itself after some errors). */
    void rollback() throws SQLException {
        if (rollback == null) {
            rollback = prepare("ROLLBACK");
        }
        int rc = rollback.safeRunInt(STEP);
        if (rc != SQLITE_DONE && rc != SQLITE_ERROR) {
            check(rc, "ROLLBACK");
        }
    }

    /** Steps one savepoint statement, prepared on first use; only a few distinct ones are ever run on a connection. */
    void savepointStatement(String sql) throws SQLException {
        SafeStmtPtr ptr = savepoints.get(sql);
        if (ptr == null) {
            if (savepoints.size() >= 8) {
                for (SafeStmtPtr old : savepoints.values()) {
                    old.close();
                }
                savepoints.clear();
            }
            ptr = prepare(sql);
            savepoints.put(sql, ptr);
        }
        check(ptr.safeRunInt(STEP), sql);
    }

    /**
     * Asks SQLite itself whether a transaction is open, whatever the driver or the caller believe: a plain BEGIN
     * fails inside a transaction and succeeds (and is undone at once) outside one.
     */
    boolean inTransaction() throws SQLException {
        if (probe == null) {
            probe = prepare("BEGIN");
        }
        int rc = probe.safeRunInt(STEP);
        if (rc == SQLITE_DONE) {
            rollback();
            return false;
        }
        return true;
    }

    private static void check(int rc, String sql) throws SQLException {
        if (rc != SQLITE_DONE) {
            SQLiteErrorCode code = SQLiteErrorCode.getErrorCode(rc);
            throw new SQLiteException("[" + code.name() + "] " + code.message + " (" + sql + ")", code);
        }
    }
}
