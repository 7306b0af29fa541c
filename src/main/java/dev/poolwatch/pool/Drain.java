package dev.poolwatch.pool;

import java.sql.SQLException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restart and close: both wait for borrowed connections to come back, for up to closeTimeout, under the life-cycle
 * lock, then close what is left; a restart opens the writer and minReaders again, a close takes back by force what
 * its holders kept.
 */
final class Drain {
    private static final Logger log = LoggerFactory.getLogger(Drain.class);

    private final SqlitePool pool;
    private final Lifecycle lifecycle;
    private final ConnectionBroker broker;
    private final ErrorRecorder errors;
    private final ExecutorService closer;

    Drain(SqlitePool pool, Lifecycle lifecycle, ConnectionBroker broker, ErrorRecorder errors,
          ExecutorService closer) {
        this.pool = pool;
        this.lifecycle = lifecycle;
        this.broker = broker;
        this.errors = errors;
        this.closer = closer;
    }

    /**
     * Drains every borrow for up to closeTimeout, closes every connection and opens the writer and minReaders again;
     * {@code reopened} hears how long it took before any waiting caller is let in.
     */
    void restart(LongConsumer reopened) throws SQLException {
        lifecycle.admin.lock();
        try {
            long start = System.nanoTime();
            if (!lifecycle.beginRestart()) {
                throw new PoolClosedException(pool.name());
            }
            try {
                long deadline = start + pool.timing().closeTimeout();
                while (broker.inUse() > 0 && System.nanoTime() < deadline && !lifecycle.closed()) {
                    sleepQuietly(2);
                }
                broker.generation++;
                broker.closeAllFree(PoolListener.CloseReason.EVICTED);
                if (lifecycle.closed()) {
                    throw new PoolClosedException(pool.name());
                }
                try {
                    FileChecks.check(pool.config().path());
                } catch (SQLException e) {
                    errors.record(Role.WRITER, e);
                    throw e;
                }
                broker.fillWriter();
                broker.fillReaders();
                reopened.accept(System.nanoTime() - start);
            } finally {
                lifecycle.endRestart();
            }
        } finally {
            lifecycle.admin.unlock();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The close after the pool's own threads stopped: drain, close, take back what holders kept. */
    void close() {
        lifecycle.admin.lock();
        try {
            long deadline = System.nanoTime() + pool.timing().closeTimeout();
            while (broker.inUse() > 0 && System.nanoTime() < deadline) {
                sleepQuietly(5);
            }
            broker.closeAllFree(PoolListener.CloseReason.POOL_CLOSED);
            forceCloseBorrowed();
            closer.shutdown();
            awaitQuietly(closer, pool.timing().closeTimeout());
            // A borrow caught between taking its connection and seeing the pool closed gives it back at once.
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (broker.connections.openCount() > 0 && System.nanoTime() < settle) {
                sleepQuietly(1);
                broker.closeAllFree(PoolListener.CloseReason.POOL_CLOSED);
            }
        } finally {
            lifecycle.admin.unlock();
        }
    }

    private void forceCloseBorrowed() {
        Executor now = Runnable::run;
        for (PoolEntry e : broker.readers.entries()) {
            forceClose(e.borrow, now);
        }
        PoolEntry w = broker.writerEntry();
        if (w != null) {
            forceClose(w.borrow, now);
        }
    }

    private void forceClose(ProxyConnection p, Executor executor) {
        if (p != null && p.reclaim()) {
            log.warn("pool '{}' closed a {} connection still borrowed by thread '{}'", pool.name(), p.entry.role.tag(),
                    p.borrower.getName());
            broker.discard(p, executor, PoolListener.CloseReason.POOL_CLOSED);
        }
    }

    private static void awaitQuietly(ExecutorService executor, long nanos) {
        try {
            executor.awaitTermination(Math.max(1, nanos), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
