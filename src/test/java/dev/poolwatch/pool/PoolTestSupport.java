package dev.poolwatch.pool;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Shared set-up for pool tests: a small table of numbered rows in a temp file. */
final class PoolTestSupport {
    private PoolTestSupport() {
    }

    static SqlitePoolConfig.Builder config(Path dir) {
        return SqlitePoolConfig.builder(dir.resolve("test.db"))
                .name("test")
                .acquireTimeout(Duration.ofSeconds(5))
                .housekeepingPeriod(Duration.ofMillis(20))
                .closeTimeout(Duration.ofSeconds(2));
    }

    static SqlitePool openWithTable(SqlitePoolConfig config) throws SQLException {
        SqlitePool pool = SqlitePool.open(config);
        pool.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS item (id INTEGER PRIMARY KEY, value TEXT NOT NULL)");
            }
            return null;
        });
        return pool;
    }

    static void insert(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (id, value) VALUES (?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, "v" + id);
            ps.executeUpdate();
        }
    }

    static long count(SqlitePool pool) throws SQLException {
        return pool.read(PoolTestSupport::count);
    }

    static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM item")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Runs {@code work} on a thread of its own: the writer refuses a second borrow on the thread that holds it. */
    static <T> T onOtherThread(SqlFunction<T> work) throws Exception {
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            return ex.submit(() -> work.apply(null)).get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
        } finally {
            ex.shutdownNow();
        }
    }

    static void assertConsistent(PoolStats.RoleStats s) {
        if (s.active() + s.idle() != s.total() || s.total() > s.max() || s.pending() < 0) {
            throw new AssertionError("inconsistent counts: " + s);
        }
    }
}
