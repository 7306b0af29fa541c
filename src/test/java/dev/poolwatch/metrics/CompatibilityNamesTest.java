package dev.poolwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HikariCP's and OpenTelemetry's names, when switched on, carry the pool's own numbers. */
@Timeout(60)
class CompatibilityNamesTest {

    @TempDir
    Path dir;

    @Test
    void compatibilityNamesAreOffByDefault() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("a.db")).name("a").build());
             PoolMetrics metrics = new PoolMetrics(pool)) {
            metrics.bindTo(registry);

            assertThat(registry.scrape()).doesNotContain("hikaricp_").doesNotContain("db_client_connection");
        }
    }

    @Test
    void hikariCpAndOpenTelemetryNamesAddUpBothRolesAndCountTimeouts() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("a.db")).name("orders")
                .maxReaders(3).minReaders(1).acquireTimeout(Duration.ofMillis(200)).build());
             PoolMetrics metrics = new PoolMetrics(pool, MetricsOptions.builder().hikariCpNames(true)
                     .openTelemetryNames(true).build())) {
            metrics.bindTo(registry);
            pool.write(c -> c.createStatement().execute("CREATE TABLE t (x)"));
            String busy;
            try (HeldConnection writer = HeldConnection.writer(pool)) {
                assertThatThrownBy(() -> pool.write(c -> null)).isInstanceOf(PoolTimeoutException.class);
                busy = registry.scrape();
            }

            assertThat(busy)
                    .contains("hikaricp_connections_max{pool=\"orders\"} 4.0")
                    .contains("hikaricp_connections_min{pool=\"orders\"} 2.0")
                    .contains("hikaricp_connections_active{pool=\"orders\"} 1.0")
                    .contains("hikaricp_connections_timeout_total{pool=\"orders\"} 1.0")
                    .contains("# TYPE hikaricp_connections_acquire_seconds summary")
                    .contains("db_client_connection_count{db_client_connection_pool_name=\"orders\",state=\"used\"} 1.0")
                    .contains("db_client_connection_max{db_client_connection_pool_name=\"orders\"} 4.0")
                    .contains("db_client_connection_timeouts_total{db_client_connection_pool_name=\"orders\"} 1.0");
            double total = value(busy, "hikaricp_connections{pool=\"orders\"}");
            assertThat(total).isEqualTo(value(busy, "hikaricp_connections_active{pool=\"orders\"}")
                    + value(busy, "hikaricp_connections_idle{pool=\"orders\"}"));
            // HikariCP counts successful acquires; OpenTelemetry's wait_time counts the timed-out wait too.
            assertThat(value(busy, "db_client_connection_wait_time_seconds_count{db_client_connection_pool_name=\"orders\"}"))
                    .isEqualTo(value(busy, "hikaricp_connections_acquire_seconds_count{pool=\"orders\"}") + 1);
        }
    }

    private static double value(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l ->
                Double.parseDouble(l.substring(series.length() + 1).strip())).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + series));
    }
}
