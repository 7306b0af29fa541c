package dev.poolwatch.load;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.poolwatch.metrics.MeterRegistries;
import dev.poolwatch.metrics.PoolMetrics;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.sqlite.SQLiteConfig;

/**
 * Acquire and release of a connection on a real SQLite file, nothing else: the pool's own overhead. poolwatch's
 * reader lane against a HikariCP pool of the same size, both in WAL mode. {@code poolwatchWithMetrics} is
 * {@code poolwatch} with the Micrometer binder attached to {@link MeterRegistries#prometheus()}: the two side by side
 * are the binder's cost per borrow and return (two timer records), free of the disk's noise that a scenario's ops/s
 * carries. {@code poolwatchWithMetricsSystemClock} binds to a plain {@code PrometheusMeterRegistry}, whose clock
 * reads the system's wall time on every record.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class CycleBenchmark {

    private Path dir;
    private SqlitePool poolwatch;
    private SqlitePool poolwatchLeakDetection;
    private SqlitePool poolwatchBorrowSites;
    private SqlitePool poolwatchMetrics;
    private SqlitePool poolwatchMetricsSystemClock;
    private PoolMetrics binder;
    private PoolMetrics binderSystemClock;
    private HikariDataSource hikari;

    @Setup(Level.Trial)
    public void open() throws Exception {
        dir = Files.createTempDirectory("poolwatch-cycle-");
        poolwatch = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("a.db")).name("a").maxReaders(8)
                .minReaders(8).leakDetectionThreshold(Duration.ZERO).build());
        poolwatchLeakDetection = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("b.db")).name("b").maxReaders(8)
                .minReaders(8).build());
        poolwatchBorrowSites = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("d.db")).name("d").maxReaders(8)
                .minReaders(8).leakDetectionStackTraces(true).build());
        poolwatchMetrics = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("e.db")).name("e").maxReaders(8)
                .minReaders(8).leakDetectionThreshold(Duration.ZERO).build());
        binder = new PoolMetrics(poolwatchMetrics);
        binder.bindTo(MeterRegistries.prometheus());
        poolwatchMetricsSystemClock = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("f.db")).name("f")
                .maxReaders(8).minReaders(8).leakDetectionThreshold(Duration.ZERO).build());
        binderSystemClock = new PoolMetrics(poolwatchMetricsSystemClock);
        binderSystemClock.bindTo(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setBusyTimeout(5000);
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl("jdbc:sqlite:" + dir.resolve("c.db"));
        c.setDataSourceProperties(sqlite.toProperties());
        c.setMaximumPoolSize(8);
        c.setMinimumIdle(8);
        hikari = new HikariDataSource(c);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        hikari.close();
        poolwatch.close();
        poolwatchLeakDetection.close();
        poolwatchBorrowSites.close();
        binder.close();
        poolwatchMetrics.close();
        binderSystemClock.close();
        poolwatchMetricsSystemClock.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public void poolwatch(Blackhole bh) throws SQLException {
        try (Connection c = poolwatch.reader().getConnection()) {
            bh.consume(c);
        }
    }

    @Benchmark
    public void poolwatchWithLeakDetection(Blackhole bh) throws SQLException {
        try (Connection c = poolwatchLeakDetection.reader().getConnection()) {
            bh.consume(c);
        }
    }

    @Benchmark
    public void poolwatchWithBorrowSites(Blackhole bh) throws SQLException {
        try (Connection c = poolwatchBorrowSites.reader().getConnection()) {
            bh.consume(c);
        }
    }

    @Benchmark
    public void poolwatchWithMetrics(Blackhole bh) throws SQLException {
        try (Connection c = poolwatchMetrics.reader().getConnection()) {
            bh.consume(c);
        }
    }

    @Benchmark
    public void poolwatchWithMetricsSystemClock(Blackhole bh) throws SQLException {
        try (Connection c = poolwatchMetricsSystemClock.reader().getConnection()) {
            bh.consume(c);
        }
    }

    @Benchmark
    public void hikari(Blackhole bh) throws SQLException {
        try (Connection c = hikari.getConnection()) {
            bh.consume(c);
        }
    }
}
