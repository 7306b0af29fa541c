package dev.poolwatch.metrics;

import dev.poolwatch.pool.SqlitePool;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A connection borrowed on another thread and held until {@link #close()}, to saturate a role or pin the WAL. */
final class HeldConnection implements AutoCloseable {

    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final Future<?> borrow;

    private HeldConnection(SqlitePool pool, boolean writer) throws InterruptedException {
        borrow = thread.submit(() -> writer ? pool.write(c -> hold()) : pool.read(c -> {
            // An open read transaction: its snapshot pins the WAL frames written after it.
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN");
                s.executeQuery("SELECT count(*) FROM sqlite_schema").close();
                hold();
                s.execute("COMMIT");
            }
            return null;
        }));
        if (!held.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("could not borrow a connection within 10 s");
        }
    }

    /** Holds a reader inside a read transaction. */
    static HeldConnection reader(SqlitePool pool) throws InterruptedException {
        return new HeldConnection(pool, false);
    }

    /** Holds the writer inside a write transaction. */
    static HeldConnection writer(SqlitePool pool) throws InterruptedException {
        return new HeldConnection(pool, true);
    }

    private Void hold() throws SQLException {
        held.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while held", e);
        }
        return null;
    }

    @Override
    public void close() throws Exception {
        release.countDown();
        try {
            borrow.get(10, TimeUnit.SECONDS);
        } finally {
            thread.shutdownNow();
        }
    }
}
