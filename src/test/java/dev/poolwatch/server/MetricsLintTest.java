package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").build());
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).start()) {
            pool.write(c -> c.createStatement().execute("CREATE TABLE t (x)"));
            pool.read(c -> c.isValid(1));
            pool.writeBatched(c -> c.createStatement().execute("INSERT INTO t VALUES (1)"));
            pool.checkpoint(CheckpointMode.TRUNCATE);
            pool.quickCheck();
            HttpResponse<String> r = new Http(watch.uri()).get("/metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            Process p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
            try {
                p.getOutputStream().write(r.body().getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(out).as("promtool check metrics output").isEmpty();
                assertThat(p.exitValue()).isZero();
            } finally {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void promtoolReallyFlagsABadName() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool(), "check", "metrics").redirectErrorStream(true).start();
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
