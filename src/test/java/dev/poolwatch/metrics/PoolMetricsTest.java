package dev.poolwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.CheckpointResult;
import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The meters an operator reads to tell what a SQLite pool is doing, each driven by the real thing. */
@Timeout(60)
class PoolMetricsTest {

    @TempDir
    Path dir;

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ExecutorService holder = Executors.newSingleThreadExecutor();
    private SqlitePool pool;
    private PoolMetrics metrics;

    @AfterEach
    void close() throws Exception {
        holder.shutdownNow();
        assertThat(holder.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        if (metrics != null) {
            metrics.close();
        }
        if (pool != null) {
            pool.close();
        }
        registry.close();
    }

    private void open(SqlitePoolConfig.Builder config, MetricsOptions options) throws SQLException {
        pool = SqlitePool.open(config.build());
        metrics = new PoolMetrics(pool, options);
        metrics.bindTo(registry);
        pool.write(c -> c.createStatement().execute("CREATE TABLE t (x)"));
    }

    private SqlitePoolConfig.Builder config() {
        return SqlitePoolConfig.builder(dir.resolve("app.db")).name("app");
    }

    private Timer acquire(String role, String outcome) {
        return registry.get("sqlite.pool.acquire").tags("role", role, "outcome", outcome).timer();
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    @Test
    void timedOutAcquireIsRecordedInTheAcquireHistogramWithItsWait() throws Exception {
        open(config().maxReaders(1).minReaders(1).acquireTimeout(Duration.ofMillis(300)), MetricsOptions.DEFAULT);
        long acquiredBefore;
        try (HeldConnection reader = HeldConnection.reader(pool)) {
            acquiredBefore = acquire("reader", "acquired").count();

            assertThatThrownBy(() -> pool.read(c -> null)).isInstanceOf(PoolTimeoutException.class);
        }

        Timer timedOut = acquire("reader", "timeout");
        assertThat(timedOut.count()).isEqualTo(1);
        assertThat(timedOut.totalTime(TimeUnit.MILLISECONDS)).isBetween(290.0, 5_000.0);
        assertThat(acquire("reader", "acquired").count()).isEqualTo(acquiredBefore);
        assertThat(registry.get("sqlite.pool.timeouts").tags("role", "reader").counter().count()).isEqualTo(1);
        // 0.3 s lands in the 0.5 s bucket of the histogram, not below it.
        assertThat(bucket(timedOut, 0.25)).isZero();
        assertThat(bucket(timedOut, 0.5)).isEqualTo(1);
    }

    @Test
    void usageBucketsReachPastTheLeakDetectionThresholdToFiveMinutes() throws Exception {
        open(config(), MetricsOptions.DEFAULT);
        Timer usage = registry.get("sqlite.pool.usage").tags("role", "reader").timer();
        double[] bounds = Arrays.stream(usage.takeSnapshot().histogramCounts())
                .mapToDouble(b -> b.bucket(TimeUnit.SECONDS)).toArray();
        double leakThreshold = pool.config().leakDetectionThreshold().toSeconds();

        assertThat(bounds).contains(60.0, 120.0, 300.0);
        assertThat(Arrays.stream(bounds).filter(b -> b > leakThreshold).count()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void writeLockWaitShowsAnotherProcessHoldingTheLock() throws Exception {
        open(config(), MetricsOptions.DEFAULT);
        Timer wait = registry.get("sqlite.pool.write.lock.wait").tags("role", "writer").timer();
        long before = wait.count();
        pool.write(c -> c.createStatement().execute("INSERT INTO t VALUES (1)"));
        assertThat(wait.count()).isEqualTo(before + 1);
        assertThat(wait.max(TimeUnit.MILLISECONDS)).isLessThan(200);

        CountDownLatch locked = new CountDownLatch(1);
        Future<?> outsider = holder.submit(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("app.db"));
                 Statement s = c.createStatement()) {
                s.execute("BEGIN IMMEDIATE");
                locked.countDown();
                Thread.sleep(400);
                s.execute("COMMIT");
            }
            return null;
        });
        locked.await();
        pool.write(c -> c.createStatement().execute("INSERT INTO t VALUES (2)"));
        outsider.get();

        assertThat(wait.count()).isEqualTo(before + 2);
        assertThat(wait.max(TimeUnit.MILLISECONDS)).isGreaterThan(300);
    }

    @Test
    void commitsAndRollbacksAreCountedApart() throws Exception {
        open(config(), MetricsOptions.DEFAULT);
        double committed = transactions("committed");

        pool.write(c -> c.createStatement().execute("INSERT INTO t VALUES (1)"));
        assertThatThrownBy(() -> pool.write(c -> {
            c.createStatement().execute("INSERT INTO t VALUES (2)");
            throw new SQLException("caller gives up");
        })).hasMessage("caller gives up");

        assertThat(transactions("committed")).isEqualTo(committed + 1);
        assertThat(transactions("rolled_back")).isEqualTo(1);
    }

    private double transactions(String outcome) {
        return registry.get("sqlite.pool.transactions").tags("role", "writer", "outcome", outcome).counter().count();
    }

    @Test
    void checkpointStoppedByAReaderCountsAsPinnedWithItsFrames() throws Exception {
        open(config().checkpointInterval(Duration.ZERO), MetricsOptions.DEFAULT);
        assertThat(gauge("sqlite.pool.checkpoint.wal.frames", "pool", "app")).isNaN();
        CheckpointResult pinned;
        try (HeldConnection reader = HeldConnection.reader(pool)) {
            for (int i = 0; i < 20; i++) {
                int n = i;
                pool.write(c -> c.createStatement().execute("INSERT INTO t VALUES (" + n + ")"));
            }
            pinned = pool.checkpoint(CheckpointMode.PASSIVE);
        }

        assertThat(pinned.busy()).isFalse();
        assertThat(pinned.checkpointedFrames()).isLessThan(pinned.walFrames());
        assertThat(checkpoints("passive", "pinned")).isEqualTo(1);
        assertThat(checkpoints("passive", "complete")).isZero();
        assertThat(gauge("sqlite.pool.checkpoint.wal.frames", "pool", "app")).isEqualTo(pinned.walFrames());
        assertThat(gauge("sqlite.pool.checkpoint.checkpointed.frames", "pool", "app"))
                .isEqualTo(pinned.checkpointedFrames());

        CheckpointResult complete = pool.checkpoint(CheckpointMode.PASSIVE);
        assertThat(complete.complete()).isTrue();
        assertThat(checkpoints("passive", "complete")).isEqualTo(1);
        assertThat(checkpoints("passive", "busy")).isZero();
    }

    private double checkpoints(String mode, String outcome) {
        return registry.get("sqlite.pool.checkpoints").tags("mode", mode, "outcome", outcome).counter().count();
    }

    @Test
    void oldestBorrowAgeShowsHowLongAReadSnapshotIsHeld() throws Exception {
        open(config(), MetricsOptions.DEFAULT);
        try (HeldConnection reader = HeldConnection.reader(pool)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> oldestReader() >= 0.3);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> oldestReader() == 0);
    }

    private double oldestReader() {
        return gauge("sqlite.pool.oldest.borrow.age", "role", "reader");
    }

    @Test
    void settingsGaugesFollowALiveReconfiguration() throws Exception {
        open(config().acquireTimeout(Duration.ofMillis(1500)).leakDetectionThreshold(Duration.ofSeconds(60))
                .leakReclaimTimeout(Duration.ofMinutes(10)), MetricsOptions.DEFAULT);
        assertThat(gauge("sqlite.pool.acquire.timeout", "pool", "app")).isEqualTo(1.5);
        assertThat(gauge("sqlite.pool.leak.detection.threshold", "pool", "app")).isEqualTo(60);
        assertThat(gauge("sqlite.pool.leak.reclaim.timeout", "pool", "app")).isEqualTo(600);

        pool.reconfigure(pool.config().toBuilder().acquireTimeout(Duration.ofSeconds(2))
                .leakReclaimTimeout(Duration.ZERO).maxReaders(7).build());

        assertThat(gauge("sqlite.pool.acquire.timeout", "pool", "app")).isEqualTo(2);
        assertThat(gauge("sqlite.pool.leak.reclaim.timeout", "pool", "app")).isZero();
        await().atMost(Duration.ofSeconds(2))
                .until(() -> gauge("sqlite.pool.connections.max", "role", "reader") == 7);
    }

    @Test
    void storageIsSampledInTheBackgroundAndScrapesNeverQueryTheDatabase() throws Exception {
        open(config(), MetricsOptions.builder().storageSampleInterval(Duration.ofSeconds(1)).build());
        pool.write(c -> c.createStatement().execute("INSERT INTO t SELECT zeroblob(4000) FROM"
                + " (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT i FROM n)"));
        pool.write(c -> c.createStatement().execute("DELETE FROM t"));

        await().atMost(Duration.ofSeconds(10)).until(() -> gauge("sqlite.pool.freelist.pages", "pool", "app") > 100);
        assertThat(gauge("sqlite.pool.pages", "pool", "app")).isGreaterThan(gauge("sqlite.pool.freelist.pages",
                "pool", "app"));
        assertThat(gauge("sqlite.pool.page.size", "pool", "app")).isEqualTo(4096);
        double free = gauge("sqlite.pool.filesystem.free", "pool", "app");
        assertThat(free).isPositive().isLessThanOrEqualTo(gauge("sqlite.pool.filesystem.size", "pool", "app"));

        metrics.close();
        metrics = new PoolMetrics(pool, MetricsOptions.builder().storageSampleInterval(Duration.ofHours(1)).build());
        metrics.bindTo(registry);
        await().atMost(Duration.ofSeconds(5)).until(() -> !Double.isNaN(gauge("sqlite.pool.pages", "pool", "app")));
        long acquires = acquire("reader", "acquired").count();
        for (int i = 0; i < 20; i++) {
            registry.scrape();
        }
        assertThat(acquire("reader", "acquired").count()).isEqualTo(acquires);
    }

    @Test
    void buildInfoNamesThePoolwatchAndSqliteVersions() {
        new BuildInfo().bindTo(registry);

        assertThat(registry.scrape()).containsPattern(
                "poolwatch_build_info\\{sqlite_version=\"3\\.\\d+\\.\\d+\",version=\"development\"} 1");
    }

    private static double bucket(Timer timer, double upperSeconds) {
        double below = 0;
        double at = 0;
        for (CountAtBucket b : timer.takeSnapshot().histogramCounts()) {
            if (b.bucket(TimeUnit.SECONDS) < upperSeconds) {
                below = b.count();
            } else if (b.bucket(TimeUnit.SECONDS) == upperSeconds) {
                at = b.count();
            }
        }
        return at - below;
    }
}
