package dev.poolwatch.integrity;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.SqlitePool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.sqlite.ProgressHandler;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;

/**
 * One {@code PRAGMA quick_check} on a reader of the pool, stopped once it has run longer than its budget.
 * {@code quick_check} has no time limit of its own; SQLite calls the connection's progress handler while it walks the
 * b-trees, and a handler that answers non-zero ends the statement with SQLITE_INTERRUPT. The statement runs on the
 * driver connection under the pool's proxy so that a check stopped on purpose is not counted as a pool error.
 */
final class IntegrityCheck {

    /** Virtual-machine steps between two looks at the clock: about a millisecond of checking on this machine. */
    private static final int PROGRESS_STEPS = 1000;
    /** quick_check stops after this many problems; more say nothing new and would only grow the event. */
    static final int MAX_PROBLEMS = 20;

    enum Result {
        OK, FAILED, INCOMPLETE, ERROR;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Outcome(Result result, List<String> problems, long durationNanos, String error) {
    }

    private IntegrityCheck() {
    }

    static Outcome run(SqlitePool pool, Duration budget) {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        try {
            List<String> rows = pool.read(c -> check(c, deadline));
            long took = System.nanoTime() - start;
            boolean ok = rows.size() == 1 && "ok".equals(rows.get(0));
            return new Outcome(ok ? Result.OK : Result.FAILED, ok ? List.of() : rows, took, null);
        } catch (SQLException e) {
            long took = System.nanoTime() - start;
            if (interrupted(e)) {
                return new Outcome(Result.INCOMPLETE, List.of(), took, "stopped after the budget of " + budget);
            }
            if (ErrorKind.classify(e) == ErrorKind.CORRUPT) {
                return new Outcome(Result.FAILED, List.of(String.valueOf(e.getMessage())), took, null);
            }
            return new Outcome(Result.ERROR, List.of(), took, String.valueOf(e.getMessage()));
        }
    }

    private static List<String> check(Connection proxy, long deadline) throws SQLException {
        SQLiteConnection raw = proxy.unwrap(SQLiteConnection.class);
        ProgressHandler.setHandler(raw, PROGRESS_STEPS, new ProgressHandler() {
            @Override
            protected int progress() {
                return System.nanoTime() > deadline ? 1 : 0;
            }
        });
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA quick_check(" + MAX_PROBLEMS + ")")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } finally {
            // The connection goes back to the pool: the next borrower must not inherit the deadline.
            ProgressHandler.clearHandler(raw);
        }
    }

    private static boolean interrupted(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException
                    && ((org.sqlite.SQLiteException) t).getResultCode() == SQLiteErrorCode.SQLITE_INTERRUPT) {
                return true;
            }
        }
        return false;
    }
}
