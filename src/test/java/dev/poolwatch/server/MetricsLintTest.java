package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.metrics.MetricsOptions;
import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLintTest {

    @TempDir
    Path dir;

    /** Fails with the Debian package to install when promtool is missing; scripts/test installs it. */
    static String promtool() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Path.of(d, "promtool").toFile().canExecute()) {
                return Path.of(d, "promtool").toString();
            }
        }
        throw new AssertionError("promtool not found on PATH: install Debian package 'prometheus'"
                + " (scripts/test does this)");
    }

    @Test
    void liveMetricsPassPromtoolCheckMetricsWithoutAWarning() throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app")
                .maxReaders(1).minReaders(1).acquireTimeout(Duration.ofMillis(100)).build());
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).start()) {
            exercise(pool);

            assertThat(promtoolCheck(scrape(watch))).as("promtool check metrics output").isEmpty();
        }
    }

    @Test
    void compatibilityNamesPassPromtoolButForOpenTelemetrysOwnCountName() throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app")
                .maxReaders(1).minReaders(1).acquireTimeout(Duration.ofMillis(100)).build());
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).metrics(MetricsOptions.builder()
                     .hikariCpNames(true).openTelemetryNames(true).compactHistograms(true).build()).start()) {
            exercise(pool);

            assertThat(promtoolCheck(scrape(watch))).containsExactly("db_client_connection_count non-histogram and"
                    + " non-summary metrics should not have \"_count\" suffix");
        }
    }

    /** Fills every kind of meter: a write, a rollback, a timed-out acquire, a checkpoint and a quick check. */
    private static void exercise(SqlitePool pool) throws Exception {
        pool.write(c -> c.createStatement().execute("CREATE TABLE t (x)"));
        assertThatThrownBy(() -> pool.write(c -> {
            throw new SQLException("rolled back");
        })).hasMessage("rolled back");
        pool.read(c -> {
            assertThatThrownBy(() -> pool.read(inner -> null)).isInstanceOf(PoolTimeoutException.class);
            return null;
        });
        pool.writeBatched(c -> c.createStatement().execute("INSERT INTO t VALUES (1)"));
        pool.checkpoint(CheckpointMode.TRUNCATE);
        pool.quickCheck();
    }

    private static String scrape(PoolWatch watch) throws Exception {
        HttpResponse<String> r = new Http(watch.uri()).get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** promtool's complaints about an exposition, one per line; fails unless promtool exits as its output says. */
    private static List<String> promtoolCheck(String exposition) throws Exception {
        Process p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
        try {
            p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<String> lines = out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
            assertThat(p.exitValue()).as(out).isEqualTo(lines.isEmpty() ? 0 : 3);
            return lines;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void promtoolReallyFlagsABadName() throws IOException, InterruptedException {        Process p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
        try {
            p.getOutputStream().write("# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n"
                    .getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            assertThat(out).contains("counter metrics should have \"_total\" suffix");
        } finally {
            p.destroyForcibly();
        }
    }
}
