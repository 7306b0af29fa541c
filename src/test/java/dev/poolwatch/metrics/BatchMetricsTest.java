package dev.poolwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class BatchMetricsTest {

    @TempDir
    Path dir;

    @Test
    void batchSizeCommitTimeQueueDepthAndQueueWaitAreMeasured() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("m.db")).name("m")
                .maxBatchDuration(Duration.ofSeconds(10)).build());
             PoolMetrics metrics = new PoolMetrics(pool)) {
            metrics.bindTo(registry);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch open = new CountDownLatch(1);
            CompletableFuture<Object> gate = pool.submit(c -> {
                running.countDown();
                try {
                    return open.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new SQLException(e);
                }
            });
            running.await();
            List<CompletableFuture<Object>> queued = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                queued.add(pool.submit(c -> c.createStatement().execute("SELECT 1")));
            }
            double depth = registry.get("sqlite.pool.batch.queue.depth").tag("pool", "m").gauge().value();
            open.countDown();
            gate.get(10, TimeUnit.SECONDS);
            CompletableFuture.allOf(queued.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertThat(depth).isEqualTo(7);
            assertThat(registry.get("sqlite.pool.batch.queue.depth").gauge().value()).isZero();
            var size = registry.get("sqlite.pool.batch.size").tags("pool", "m", "role", "writer").summary();
            assertThat(size.count()).isEqualTo(2);
            assertThat(size.totalAmount()).isEqualTo(8);
            assertThat(size.max()).isEqualTo(7);
            assertThat(registry.get("sqlite.pool.batch.commit").timer().count()).isEqualTo(2);
            var wait = registry.get("sqlite.pool.batch.queue.wait").timer();
            assertThat(wait.count()).isEqualTo(8);
            assertThat(wait.max(TimeUnit.MILLISECONDS)).as("queued behind the gate").isPositive();
            assertThat(registry.scrape()).contains("sqlite_pool_batch_size_bucket{pool=\"m\",role=\"writer\",le=\"5.0\"} 1",
                    "sqlite_pool_batch_size_bucket{pool=\"m\",role=\"writer\",le=\"10.0\"} 2");
        }
        assertThat(registry.find("sqlite.pool.batch.size").meters()).as("removed on close").isEmpty();
    }
}
