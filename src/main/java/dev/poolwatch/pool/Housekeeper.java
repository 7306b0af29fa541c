package dev.poolwatch.pool;

import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The periodic work: leak detection, retiring idle, expired and evicted readers, keeping minReaders open, and a
 * passive checkpoint now and then when the writer happens to be free. Refills run under the life-cycle lock, so they
 * never race a restart or close.
 */
final class Housekeeper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Housekeeper.class);

    private final SqlitePool pool;
    private final ConnectionBroker broker;
    private final LeakDetector leaks;
    private final WalMaintenance wal;
    private volatile long lastCheckpointTryNanos = System.nanoTime();

    Housekeeper(SqlitePool pool, ConnectionBroker broker, LeakDetector leaks, WalMaintenance wal) {
        this.pool = pool;
        this.broker = broker;
        this.leaks = leaks;
        this.wal = wal;
    }

    @Override
    public void run() {
        MDC.put("pool", pool.name());
        try {
            SqlitePool.Timing t = pool.timing();
            long now = System.nanoTime();
            leaks.check(t, now);
            int generation = broker.generation;
            for (PoolEntry e : broker.readers.reserveFree(x -> x.generation != generation || x.broken
                    || (t.maxLifetime() > 0 && now - x.createdNanos > t.maxLifetime()), false)) {
                broker.readers.remove(e);
                broker.closeEntry(e, e.generation != generation ? PoolListener.CloseReason.EVICTED
                        : e.broken ? PoolListener.CloseReason.BROKEN : PoolListener.CloseReason.LIFETIME);
            }
            for (PoolEntry e : broker.readers.reserveFree(x -> now - x.freeSinceNanos > t.idleTimeout(), true)) {
                broker.readers.remove(e);
                broker.closeEntry(e, PoolListener.CloseReason.IDLE);
            }
            broker.retireWriterIfDue(t, now);
            refill();
            if (t.checkpointInterval() > 0 && now - lastCheckpointTryNanos >= t.checkpointInterval()
                    && pool.state() == PoolState.OPEN) {
                lastCheckpointTryNanos = now;
                wal.passiveCheckpointIfWriterFree();
            }
        } catch (SQLException e) {
            log.warn("pool '{}' housekeeping could not open a connection: {}", pool.name(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("pool '{}' housekeeping failed", pool.name(), e);
        } finally {
            MDC.remove("pool");
        }
    }

    private void refill() throws SQLException {
        Lifecycle life = broker.lifecycle;
        if (pool.state() != PoolState.OPEN || !life.admin.tryLock()) {
            return;
        }
        try {
            if (pool.state() == PoolState.OPEN) {
                broker.fillWriter();
                broker.fillReaders();
            }
        } finally {
            life.admin.unlock();
        }
    }
}
