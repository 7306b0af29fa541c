package dev.poolwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The series one pool costs, measured on the exposition, equal the figures docs/metrics.md gives, and
 * compactHistograms really cuts them for processes with many pools.
 */
class PoolMetricsSeriesTest {

    /** A row of the "Series per pool" table: | setting | series | buckets |. */
    private static final Pattern ROW = Pattern.compile("^\\| (\\w+)(?: \\(added\\))? \\| (\\d+) \\| (\\d+) \\|$",
            Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void seriesPerPoolAreTheDocumentedOnesAndCompactHistogramsCutThem() throws Exception {
        Map<String, long[]> documented = new HashMap<>();
        Matcher row = ROW.matcher(Files.readString(Path.of("docs", "metrics.md")));
        while (row.find()) {
            documented.put(row.group(1), new long[] {Long.parseLong(row.group(2)), Long.parseLong(row.group(3))});
        }
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("t.db")).name("tenant").build())) {
            long[] full = series(pool, MetricsOptions.DEFAULT);
            long[] compact = series(pool, MetricsOptions.builder().compactHistograms(true).build());
            long[] hikari = series(pool, MetricsOptions.builder().hikariCpNames(true).build());
            long[] otel = series(pool, MetricsOptions.builder().openTelemetryNames(true).build());

            assertThat(documented.get("default")).containsExactly(full);
            assertThat(documented.get("compactHistograms")).containsExactly(compact);
            assertThat(documented.get("hikariCpNames")).containsExactly(hikari[0] - full[0], hikari[1] - full[1]);
            assertThat(documented.get("openTelemetryNames")).containsExactly(otel[0] - full[0], otel[1] - full[1]);
            assertThat(compact[0]).isLessThan(full[0] * 3 / 4);
            assertThat(compact[1]).isLessThan(full[1] / 2);
        }
    }

    /** {all series, bucket series} of one pool bound alone into a fresh registry. */
    private static long[] series(SqlitePool pool, MetricsOptions options) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (PoolMetrics metrics = new PoolMetrics(pool, options)) {
            metrics.bindTo(registry);
            String text = registry.scrape();
            return new long[] {
                text.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count(),
                text.lines().filter(l -> l.contains("_bucket{")).count()
            };
        }
    }
}
