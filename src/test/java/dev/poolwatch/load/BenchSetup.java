package dev.poolwatch.load;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.poolwatch.metrics.MeterRegistries;
import dev.poolwatch.metrics.PoolMetrics;
import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.SqlFunction;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;

/**
 * One way of giving threads SQLite connections, for side-by-side benchmarks: poolwatch, HikariCP in the three setups
 * people use with SQLite, and one connection behind a lock. {@code write} runs one transaction.
 */
interface BenchSetup extends AutoCloseable {

    String name();

    <T> T read(SqlFunction<T> work) throws SQLException;

    void write(SqlFunction<?> work) throws SQLException;

    @Override
    void close();

    /**
     * poolwatch with its defaults (19 readers, synchronous=NORMAL) and writes through group commit
     * ({@code writeBatched}), at the given synchronous mode; leak detection off as HikariCP's default.
     */
    static BenchSetup poolwatchBatched(Path db, SqlitePoolConfig.Synchronous synchronous) throws SQLException {
        return poolwatchBatched(db, synchronous, null);
    }

    /** {@link #poolwatchBatched(Path, SqlitePoolConfig.Synchronous)} with {@code listener} attached, if not null. */
    static BenchSetup poolwatchBatched(Path db, SqlitePoolConfig.Synchronous synchronous, PoolListener listener)
            throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("bench")
                .leakDetectionThreshold(Duration.ZERO).synchronous(synchronous).build());
        if (listener != null) {
            pool.addListener(listener);
        }
        String name = synchronous == SqlitePoolConfig.Synchronous.NORMAL ? "poolwatch-batched"
                : "poolwatch-batched-" + synchronous.name().toLowerCase(java.util.Locale.ROOT);
        return new BenchSetup() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public <T> T read(SqlFunction<T> work) throws SQLException {
                return pool.read(work);
            }

            @Override
            public void write(SqlFunction<?> work) throws SQLException {
                pool.writeBatched(work);
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    /**
     * poolwatch with its defaults (19 readers), leak detection off as HikariCP's default, metrics optional, used
     * exactly as {@link HikariBench} uses HikariCP: through its DataSources, auto-commit off for writes.
     */
    static BenchSetup poolwatch(Path db, boolean metrics) throws SQLException {
        return poolwatch(db, metrics, null);
    }

    /** {@link #poolwatch(Path, boolean)} with {@code listener} attached, if not null. */
    static BenchSetup poolwatch(Path db, boolean metrics, PoolListener listener) throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("bench")
                .leakDetectionThreshold(Duration.ZERO).build());
        if (listener != null) {
            pool.addListener(listener);
        }
        PrometheusMeterRegistry registry = metrics ? MeterRegistries.prometheus() : null;
        PoolMetrics binder = null;
        if (metrics) {
            binder = new PoolMetrics(pool);
            binder.bindTo(registry);
        }
        PoolMetrics attached = binder;
        return new BenchSetup() {
            @Override
            public String name() {
                return metrics ? "poolwatch+metrics" : "poolwatch";
            }

            @Override
            public <T> T read(SqlFunction<T> work) throws SQLException {
                try (Connection c = pool.reader().getConnection()) {
                    return work.apply(c);
                }
            }

            @Override
            public void write(SqlFunction<?> work) throws SQLException {
                try (Connection c = pool.writer().getConnection()) {
                    c.setAutoCommit(false);
                    try {
                        work.apply(c);
                        c.commit();
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        throw e;
                    }
                }
            }

            @Override
            public void close() {
                if (attached != null) {
                    attached.close();
                    registry.close();
                }
                pool.close();
            }
        };
    }

    private static HikariDataSource hikari(Path db, String name, int size, SQLiteConfig sqlite, boolean readOnly) {
        HikariConfig c = new HikariConfig();
        // HikariCP sets the read-only flag on every new connection; sqlite-jdbc only allows it to match the open mode.
        c.setReadOnly(readOnly);
        c.setPoolName(name);
        c.setJdbcUrl("jdbc:sqlite:" + db);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setConnectionTimeout(30_000);
        if (sqlite != null) {
            c.setDataSourceProperties(sqlite.toProperties());
        }
        return new HikariDataSource(c);
    }

    private static SQLiteConfig tuned() {
        return tuned(SQLiteConfig.SynchronousMode.NORMAL);
    }

    /** WAL, busy_timeout 5 s, IMMEDIATE transactions, at the given synchronous mode. */
    static SQLiteConfig tuned(SQLiteConfig.SynchronousMode synchronous) {
        SQLiteConfig c = new SQLiteConfig();
        c.setJournalMode(SQLiteConfig.JournalMode.WAL);
        c.setBusyTimeout(5000);
        c.setSynchronous(synchronous);
        c.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        return c;
    }

    /** HikariCP, 10 connections, sqlite-jdbc defaults (rollback journal, busy_timeout 3 s, DEFERRED). */
    static BenchSetup hikariNaive(Path db) {
        HikariDataSource ds = hikari(db, "naive", 10, null, false);
        return new HikariBench("hikari-naive", ds, ds);
    }

    /** HikariCP, 10 connections, WAL, busy_timeout 5 s, IMMEDIATE transactions. */
    static BenchSetup hikariTuned(Path db) {
        HikariDataSource ds = hikari(db, "tuned", 10, tuned(), false);
        return new HikariBench("hikari-tuned", ds, ds);
    }

    /** hikari-tuned at synchronous=FULL: one fsync per write transaction. */
    static BenchSetup hikariTunedFull(Path db) {
        HikariDataSource ds = hikari(db, "tuned-full", 10, tuned(SQLiteConfig.SynchronousMode.FULL), false);
        return new HikariBench("hikari-tuned-full", ds, ds);
    }

    /** Two HikariCP pools: 1 writer and 8 read-only readers, WAL. */
    static BenchSetup hikariSplit(Path db) {
        HikariDataSource writer = hikari(db, "split-writer", 1, tuned(), false);
        SQLiteConfig ro = tuned();
        ro.setReadOnly(true);
        ro.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        HikariDataSource reader = hikari(db, "split-reader", 8, ro, true);
        return new HikariBench("hikari-split", writer, reader);
    }

    /** One WAL connection behind a fair lock: the ceiling of a single writer, and no read concurrency at all. */
    static BenchSetup serial(Path db) throws SQLException {
        Connection conn = tuned().createConnection("jdbc:sqlite:" + db);
        ReentrantLock lock = new ReentrantLock(true);
        return new BenchSetup() {
            @Override
            public String name() {
                return "serial";
            }

            @Override
            public <T> T read(SqlFunction<T> work) throws SQLException {
                lock.lock();
                try {
                    return work.apply(conn);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void write(SqlFunction<?> work) throws SQLException {
                lock.lock();
                try {
                    conn.setAutoCommit(false);
                    try {
                        work.apply(conn);
                        conn.commit();
                    } catch (SQLException | RuntimeException e) {
                        conn.rollback();
                        throw e;
                    } finally {
                        conn.setAutoCommit(true);
                    }
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public void close() {
                try {
                    conn.close();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }

    /** The way an application uses HikariCP: borrow, auto-commit off for writes, commit, close. */
    final class HikariBench implements BenchSetup {
        private final String name;
        private final HikariDataSource writes;
        private final HikariDataSource reads;

        HikariBench(String name, HikariDataSource writes, HikariDataSource reads) {
            this.name = name;
            this.writes = writes;
            this.reads = reads;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public <T> T read(SqlFunction<T> work) throws SQLException {
            try (Connection c = reads.getConnection()) {
                return work.apply(c);
            }
        }

        @Override
        public void write(SqlFunction<?> work) throws SQLException {
            try (Connection c = writes.getConnection()) {
                c.setAutoCommit(false);
                try {
                    work.apply(c);
                    c.commit();
                } catch (SQLException | RuntimeException e) {
                    c.rollback();
                    throw e;
                }
            }
        }

        @Override
        public void close() {
            if (reads != writes) {
                reads.close();
            }
            writes.close();
        }
    }
}
