package dev.poolwatch.integrity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ScheduledIntegrityChecksTest {

    @TempDir
    Path dir;

    private static SqlitePool filled(Path file, int rows) throws Exception {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("app").build());
        pool.write(c -> {
            c.createStatement().execute("CREATE TABLE item (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
            c.createStatement().execute("CREATE INDEX item_v ON item (v)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (v) VALUES (hex(randomblob(200)))")) {
                for (int i = 0; i < rows; i++) {
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
        pool.checkpoint(CheckpointMode.TRUNCATE);
        return pool;
    }

    @Test
    void checkThatOutlivesItsBudgetIsStoppedAsIncompleteAndLeavesTheReaderClean() throws Exception {
        try (SqlitePool pool = filled(dir.resolve("app.db"), 20_000)) {
            long errorsBefore = pool.stats().errors().values().stream().mapToLong(Long::longValue).sum();

            IntegrityCheck.Outcome stopped = IntegrityCheck.run(pool, Duration.ofNanos(1));
            IntegrityCheck.Outcome full = IntegrityCheck.run(pool, Duration.ofSeconds(30));

            assertThat(stopped.result()).isEqualTo(IntegrityCheck.Result.INCOMPLETE);
            assertThat(full.result()).as("the same database checked without a tight budget").isEqualTo(
                    IntegrityCheck.Result.OK);
            assertThat(full.durationNanos()).as("the full check takes longer than the stopped one")
                    .isGreaterThan(stopped.durationNanos());
            long errorsAfter = pool.stats().errors().values().stream().mapToLong(Long::longValue).sum();
            assertThat(errorsAfter).as("a check stopped on purpose is no pool error").isEqualTo(errorsBefore);
            // A long query on every reader must not be interrupted by a deadline left behind.
            for (int i = 0; i < 5; i++) {
                long n = pool.read(c -> {
                    try (ResultSet rs = c.createStatement().executeQuery(
                            "SELECT count(*) FROM item a JOIN item b ON a.id = b.id")) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
                assertThat(n).isEqualTo(20_000);
            }
        }
    }

    @Test
    void scheduledCheckOfAHealthyDatabaseIsCountedOkAndRecorded() throws Exception {
        try (SqlitePool pool = filled(dir.resolve("app.db"), 500);
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).extension(new ScheduledIntegrityChecks(
                     new IntegritySchedule(Duration.ofSeconds(1), Duration.ofSeconds(1)))).start()) {
            String metrics = awaitMetric(watch.uri(), "sqlite_pool_integrity_checks_total\\{pool=\"app\",result=\"ok\"}");

            assertThat(value(metrics, "sqlite_pool_integrity_checks_total\\{pool=\"app\",result=\"failed\"}"))
                    .isZero();
            assertThat(value(metrics, "sqlite_pool_integrity_last_run_timestamp_seconds\\{pool=\"app\"}"))
                    .isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(10.0));
            watch.events().flush(Duration.ofSeconds(5));
            List<Event> events = watch.events().events(new EventQuery(null, "app", "integrity", null, 10));
            assertThat(events).isNotEmpty();
            assertThat(events.get(0).details()).containsEntry("result", "ok");
            String api = get(watch.uri(), "/api/integrity").body();
            assertThat(api).contains("\"result\":\"ok\"").contains("\"periodSeconds\":1");
        }
    }

    @Test
    void scheduledCheckOfADamagedFileIsCountedFailedWithItsProblems() throws Exception {
        Path file = dir.resolve("app.db");
        filled(file, 5_000).close();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] garbage = new byte[4096];
            java.util.Arrays.fill(garbage, (byte) 0x5A);
            for (long page = 3; page * 4096 < f.length(); page += 4) {
                f.seek(page * 4096);
                f.write(garbage);
            }
        }
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("app").build());
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db"))
                     .extension(new ScheduledIntegrityChecks(new IntegritySchedule(Duration.ofSeconds(1), Duration.ofSeconds(1)))).start()) {
            awaitMetric(watch.uri(), "sqlite_pool_integrity_checks_total\\{pool=\"app\",result=\"failed\"}");

            watch.events().flush(Duration.ofSeconds(5));
            Event e = watch.events().events(new EventQuery(null, "app", "integrity", null, 1)).get(0);
            assertThat(e.severity().tag()).isEqualTo("critical");
            assertThat((List<?>) e.details().get("problems")).isNotEmpty();
        }
    }

    @Test
    void budgetLongerThanThePeriodIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new IntegritySchedule(Duration.ofSeconds(10), Duration.ofSeconds(11)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget")
                .hasMessageContaining("PT10S");
        assertThatThrownBy(() -> new IntegritySchedule(Duration.ofMillis(999), Duration.ofMillis(10)))
                .hasMessageContaining("period must be between 1 s and 7 d");
        assertThat(IntegritySchedule.DEFAULT.worstReaderShare()).as("the default stays under 1 %%").isLessThan(0.01);
    }

    private static String awaitMetric(URI base, String series) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String body = get(base, "/metrics").body();
            if (value(body, series) >= 1) {
                return body;
            }
            assertThat(System.nanoTime()).as("%s reached 1 within 20 s; last scrape:\n%s", series, body)
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
