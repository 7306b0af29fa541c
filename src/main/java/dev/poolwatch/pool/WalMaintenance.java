package dev.poolwatch.pool;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Checkpoints, {@code PRAGMA optimize}, {@code quick_check} and the files' sizes. */
final class WalMaintenance {
    private static final Logger log = LoggerFactory.getLogger(WalMaintenance.class);

    private final SqlitePool pool;
    private final ConnectionBroker broker;
    private volatile long lastCompleteCheckpointMillis;
    /**
     * Held by every checkpoint the pool runs. SQLite gives a second checkpointer SQLITE_BUSY at once, without the
     * busy handler, so an explicit TRUNCATE would fail whenever a background pass happened to be running.
     */
    final ReentrantLock passes = new ReentrantLock();

    WalMaintenance(SqlitePool pool, ConnectionBroker broker) {
        this.pool = pool;
        this.broker = broker;
    }

    long lastCompleteCheckpointMillis() {
        return lastCompleteCheckpointMillis;
    }

    /** Notes a checkpoint that ran, on the writer or on the background checkpointer's connection. */
    private void recorded(CheckpointResult result) {
        if (result.complete()) {
            lastCompleteCheckpointMillis = System.currentTimeMillis();
        }
        pool.listener().checkpointed(result);
    }

    CheckpointResult checkpoint(CheckpointMode mode) throws SQLException {
        ProxyConnection p = broker.borrow(Role.WRITER, ProxyConnection.SCOPED, pool.timing().acquireTimeout(), true);
        try {
            return run(p.entry, mode);
        } finally {
            p.release();
        }
    }

    private CheckpointResult run(PoolEntry e, CheckpointMode mode) throws SQLException {
        passes.lock();
        try {
            return runLocked(e, mode);
        } finally {
            passes.unlock();
        }
    }

    private CheckpointResult runLocked(PoolEntry e, CheckpointMode mode) throws SQLException {
        try {
            return runOn(e.raw, mode);
        } catch (SQLException ex) {
            broker.errors.onError(e, ex);
            throw ex;
        }
    }

    /** Runs one checkpoint on {@code raw} and records it; the caller holds {@link #passes}. */
    CheckpointResult runOn(Connection raw, CheckpointMode mode) throws SQLException {
        long start = System.nanoTime();
        try (Statement s = raw.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode.name() + ")")) {
            rs.next();
            CheckpointResult result = new CheckpointResult(mode, rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3),
                    System.nanoTime() - start);
            recorded(result);
            return result;
        }
    }

    /** A PASSIVE checkpoint on the housekeeper's thread, only if no writer is waiting or holding. */
    void passiveCheckpointIfWriterFree() {
        if (broker.gate.waiting() > 0) {
            return;
        }
        ProxyConnection p;
        try {
            p = broker.borrow(Role.WRITER, ProxyConnection.SCOPED, 0, false);
        } catch (SQLException busy) {
            return;
        }
        try {
            run(p.entry, CheckpointMode.PASSIVE);
        } catch (SQLException ex) {
            log.debug("pool '{}' passive checkpoint failed", pool.name(), ex);
        } finally {
            p.release();
        }
    }

    void optimize() throws SQLException {
        ProxyConnection p = broker.borrow(Role.WRITER, ProxyConnection.SCOPED, pool.timing().acquireTimeout(), true);
        try (Statement s = p.raw.createStatement()) {
            s.execute("PRAGMA optimize");
        } catch (SQLException e) {
            broker.errors.onError(p.entry, e);
            throw e;
        } finally {
            p.release();
        }
    }

    QuickCheckResult quickCheck() throws SQLException {
        long start = System.nanoTime();
        List<String> rows;
        try {
            rows = pool.read(c -> {
                List<String> out = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            if (ErrorKind.classify(e) != ErrorKind.CORRUPT) {
                throw e;
            }
            rows = List.of(String.valueOf(e.getMessage()));
        }
        boolean ok = rows.size() == 1 && "ok".equals(rows.get(0));
        QuickCheckResult result = new QuickCheckResult(ok, ok ? List.of() : rows, System.nanoTime() - start);
        if (!ok) {
            log.error("pool '{}' quick_check found problems: {}", pool.name(), rows);
        }
        pool.listener().quickChecked(result);
        return result;
    }

    static long walSize(Path db) {
        return FileChecks.sizeOf(db.resolveSibling(db.getFileName() + "-wal"));
    }
}
