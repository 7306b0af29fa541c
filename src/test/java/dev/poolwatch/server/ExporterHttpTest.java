package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExporterHttpTest {

    private static final String TOKEN = "s3cret-token-for-tests";
    private static final String AUTH = "Bearer " + TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        pool = openPool();
        watch = startExporter(TOKEN);
    }

    private SqlitePool openPool() throws Exception {
        return SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4)
                .acquireTimeout(Duration.ofSeconds(2)).build());
    }

    private PoolWatch startExporter(String token) throws Exception {
        PoolWatch w = PoolWatch.builder().pool(pool).port(0).token(token).maxBodyBytes(4096).start();
        http = new Http(w.uri());
        return w;
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private void someTraffic() throws Exception {
        pool.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS t (x)");
                s.execute("INSERT INTO t VALUES (1)");
            }
            return null;
        });
        pool.read(c -> c.isValid(1));
    }

    @Test
    void metricsExposeThePoolsMetersInPrometheusText() throws Exception {
        someTraffic();
        HttpResponse<String> r = http.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("sqlite_pool_connections{pool=\"app\",role=\"writer\",state=\"idle\"} 1.0")
                .contains("sqlite_pool_connections_max{pool=\"app\",role=\"reader\"} 4.0")
                .contains("sqlite_pool_acquire_seconds_bucket{outcome=\"acquired\",pool=\"app\",role=\"writer\",le=\"0.05\"}")
                .contains("sqlite_pool_acquire_seconds_count{outcome=\"acquired\",pool=\"app\",role=\"reader\"}")
                .contains("sqlite_pool_timeouts_total{pool=\"app\",role=\"writer\"} 0.0")
                .contains("sqlite_pool_errors_total{kind=\"busy\",pool=\"app\",role=\"writer\"} 0.0")
                .contains("sqlite_pool_state{pool=\"app\",state=\"open\"} 1.0")
                .contains("sqlite_pool_wal_size_bytes{pool=\"app\"}")
                .contains("# HELP sqlite_pool_usage_seconds How long a borrowed connection was held")
                .contains("jvm_memory_used_bytes")
                .contains("poolwatch_events_dropped_total 0.0");
    }

    @Test
    void metricsSpeakOpenMetricsWhenAsked() throws Exception {
        HttpResponse<String> r = http.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v ->
                assertThat(v).startsWith("application/openmetrics-text"));
        assertThat(r.body()).endsWith("# EOF\n");
    }

    @Test
    void readinessFollowsThePoolState() throws Exception {
        HttpResponse<String> up = http.get("/health/ready");
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(json(up).at("/pools/app/status").asText()).isEqualTo("UP");
        assertThat(http.get("/health/live").statusCode()).isEqualTo(200);

        try (var held = pool.writer().getConnection()) {
            HttpResponse<String> busy = http.get("/health/ready");
            assertThat(busy.statusCode()).isEqualTo(503);
            assertThat(json(busy).at("/pools/app/writerAcquirable").asBoolean()).isFalse();
        }
        assertThat(pool.stats().writer().timeouts()).as("probes are not counted as timeouts").isZero();

        pool.close();
        HttpResponse<String> down = http.get("/health/ready");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(json(down).at("/pools/app/state").asText()).isEqualTo("closed");
        assertThat(http.get("/health/live").statusCode()).isEqualTo(200);
        watch.events().flush(Duration.ofSeconds(5));
        assertThat(watch.events().events(new dev.poolwatch.store.EventQuery(null, "app", "health", null, 10)))
                .isNotEmpty();
    }

    @Test
    void poolApiShowsStatsAndUnknownPoolIsAProblem() throws Exception {
        HttpResponse<String> all = http.get("/api/pools");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(json(all).at("/pools/0/pool").asText()).isEqualTo("app");
        HttpResponse<String> one = http.get("/api/pools/app");
        assertThat(json(one).at("/writer/total").asInt()).isEqualTo(1);
        HttpResponse<String> missing = http.get("/api/pools/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(missing).get("status").asInt()).isEqualTo(404);
        assertThat(json(missing).get("detail").asText()).contains("no pool named 'nope'");
        HttpResponse<String> noRoute = http.get("/api/nothing-here");
        assertThat(noRoute.statusCode()).isEqualTo(404);
        assertThat(noRoute.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void configChangeIsAppliedAtOnceAndSurvivesAnExporterRestart() throws Exception {
        HttpResponse<String> r = http.put("/api/pools/app/config", "{\"maxReaders\": 7, \"acquireTimeoutMs\": 1500}",
                "Authorization", AUTH);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("maxReaders").asInt()).isEqualTo(7);
        assertThat(pool.config().maxReaders()).isEqualTo(7);
        assertThat(pool.stats().reader().max()).isEqualTo(7);
        assertThat(pool.config().acquireTimeout()).isEqualTo(Duration.ofMillis(1500));

        watch.close();
        pool.close();
        pool = openPool();
        assertThat(pool.config().maxReaders()).isEqualTo(4);
        watch = startExporter(TOKEN);
        assertThat(pool.config().maxReaders()).isEqualTo(7);
        assertThat(pool.config().acquireTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(json(http.get("/api/pools/app/config")).get("maxReaders").asInt()).isEqualTo(7);
    }

    @Test
    void badConfigBodiesAreRejectedWithTheFieldNamedAndChangeNothing() throws Exception {
        SqlitePoolConfig before = pool.config();
        record Case(String body, int status, String field, String detail) {
        }
        List<Case> cases = List.of(
                new Case("{\"maxReaders\": 0}", 400, "maxReaders", "between 1 and 1000"),
                new Case("{\"maxReaders\": 5, \"acquireTimeoutMs\": -1}", 400, "acquireTimeoutMs", "between 1 ms and 1 h"),
                new Case("{\"idleTimeoutMs\": \"soon\"}", 400, "idleTimeoutMs", "whole number"),
                new Case("{\"leakDetectionThresholdMs\": 1.5}", 400, "leakDetectionThresholdMs", "whole number"),
                new Case("{\"busyTimeoutMs\": 10}", 400, "busyTimeoutMs", "not a settable field"),
                new Case("{}", 400, null, "names no setting"),
                new Case("[1,2]", 400, null, "must be a JSON object"),
                new Case("{not json", 400, null, "not valid JSON"),
                new Case("", 400, null, "empty"));
        for (Case c : cases) {
            HttpResponse<String> r = http.put("/api/pools/app/config", c.body(), "Authorization", AUTH);
            assertThat(r.statusCode()).as(c.body()).isEqualTo(c.status());
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            JsonNode p = json(r);
            assertThat(p.get("detail").asText()).as(c.body()).contains(c.detail());
            if (c.field() != null) {
                assertThat(p.at("/invalid-params/0/name").asText()).as(c.body()).isEqualTo(c.field());
            }
        }
        assertThat(pool.config()).isSameAs(before);
        assertThat(watch.events().loadConfig("app")).isEmpty();
        HttpResponse<String> unknownPool = http.put("/api/pools/nope/config", "{\"maxReaders\": 3}", "Authorization", AUTH);
        assertThat(unknownPool.statusCode()).isEqualTo(404);
    }

    @Test
    void writesWithoutTheRightTokenAreRejectedAndCounted() throws Exception {
        SqlitePoolConfig before = pool.config();
        String body = "{\"maxReaders\": 9}";
        assertThat(http.put("/api/pools/app/config", body).statusCode()).isEqualTo(401);
        assertThat(http.put("/api/pools/app/config", body, "Authorization", "Basic abc").statusCode()).isEqualTo(401);
        assertThat(http.put("/api/pools/app/config", body, "Authorization", "Bearer").statusCode()).isEqualTo(401);
        assertThat(http.put("/api/pools/app/config", body, "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        String oneCharOff = TOKEN.substring(0, TOKEN.length() - 1) + "X";
        assertThat(http.put("/api/pools/app/config", body, "Authorization", "Bearer " + oneCharOff).statusCode())
                .isEqualTo(401);
        assertThat(http.put("/api/pools/app/config", body, "Authorization", AUTH + "x").statusCode()).isEqualTo(401);
        HttpResponse<String> r = http.put("/api/pools/app/config", body, "Authorization", "Bearer wrong");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(r.body()).doesNotContain(TOKEN);
        assertThat(pool.config()).isSameAs(before);
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("poolwatch_auth_rejections_total{reason=\"wrong\"} 4.0");
        assertThat(metrics).contains("poolwatch_auth_rejections_total{reason=\"missing\"} 1.0");
    }

    @Test
    void tokenInAnotherCaseIsRejectedEvenOnAConnectionThatSentTheRightOne() throws Exception {
        String body = "{\"maxReaders\": 5}";
        assertThat(http.put("/api/pools/app/config", body, "Authorization", AUTH).statusCode()).isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            assertThat(http.put("/api/pools/app/config", "{\"maxReaders\": 9}", "Authorization",
                    "bearer " + TOKEN.toUpperCase(java.util.Locale.ROOT)).statusCode()).isEqualTo(401);
        }
        assertThat(pool.config().maxReaders()).isEqualTo(5);
    }

    @Test
    void withoutAConfiguredTokenWritesAreForbidden() throws Exception {
        watch.close();
        watch = startExporter(null);
        HttpResponse<String> r = http.put("/api/pools/app/config", "{\"maxReaders\": 9}", "Authorization", AUTH);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).get("detail").asText()).contains("--token-file");
        assertThat(pool.config().maxReaders()).isEqualTo(4);
    }

    @Test
    void oversizedBodyGets413AndChangesNothing() throws Exception {
        String big = "{\"maxReaders\": 5, \"pad\": \"" + "x".repeat(10_000) + "\"}";
        HttpResponse<String> r = http.put("/api/pools/app/config", big, "Authorization", AUTH);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(pool.config().maxReaders()).isEqualTo(4);
    }

    @Test
    void eventsArePagedNewestFirst() throws Exception {
        for (int i = 0; i < 25; i++) {
            watch.events().record(Event.of("app", "test", Severity.INFO, "event " + i, Map.of("i", i)));
        }
        watch.events().flush(Duration.ofSeconds(5));
        List<String> messages = new ArrayList<>();
        String next = "/api/events?pool=app&kind=test&limit=10";
        int pages = 0;
        while (next != null) {
            JsonNode page = json(http.get(next));
            page.get("events").forEach(e -> messages.add(e.get("message").asText()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
            pages++;
        }
        assertThat(pages).isEqualTo(3);
        assertThat(messages).hasSize(25).startsWith("event 24", "event 23").endsWith("event 0");
        HttpResponse<String> bad = http.get("/api/events?limit=0");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad).at("/invalid-params/0/name").asText()).isEqualTo("limit");
        assertThat(http.get("/api/events?since=yesterday").statusCode()).isEqualTo(400);
        assertThat(http.get("/api/events?colour=red").statusCode()).isEqualTo(400);
    }

    @Test
    void exportStreamsEventsAsJsonAndCsv() throws Exception {
        watch.events().record(Event.of("app", "test", Severity.WARNING, "has, a comma and \"quotes\"",
                Map.of("n", 1)));
        watch.events().record(Event.of("app", "test", Severity.INFO, "=cmd() formula", Map.of()));
        watch.events().flush(Duration.ofSeconds(5));
        JsonNode export = json(http.get("/api/export?format=json"));
        assertThat(export.get("pools").get(0).get("pool").asText()).isEqualTo("app");
        List<String> jsonMessages = new ArrayList<>();
        export.get("events").forEach(e -> jsonMessages.add(e.get("message").asText()));
        assertThat(jsonMessages).contains("has, a comma and \"quotes\"", "=cmd() formula");

        HttpResponse<String> csv = http.get("/api/export?format=csv");
        assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
        List<List<String>> rows = Csv.parse(csv.body());
        assertThat(rows.get(0)).containsExactly("record", "time", "pool", "kind", "severity", "message", "details");
        assertThat(rows).anySatisfy(row -> assertThat(row).startsWith("stats"));
        List<String> csvMessages = rows.stream().filter(row -> row.get(0).equals("event")).map(row -> row.get(5)).toList();
        assertThat(csvMessages).contains("has, a comma and \"quotes\"", "'=cmd() formula");
        assertThat(csvMessages).hasSize(jsonMessages.size());
        assertThat(http.get("/api/export?format=xml").statusCode()).isEqualTo(400);
    }

    @Test
    void demoLoadMakesMetricsMove() throws Exception {
        someTraffic();
        String before = http.get("/metrics").body();
        for (int i = 0; i < 20; i++) {
            someTraffic();
        }
        String after = http.get("/metrics").body();
        assertThat(count(after, "sqlite_pool_acquire_seconds_count{outcome=\"acquired\",pool=\"app\",role=\"writer\"}"))
                .isGreaterThan(count(before, "sqlite_pool_acquire_seconds_count{outcome=\"acquired\",pool=\"app\",role=\"writer\"}"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> Files.exists(dir.resolve("poolwatch-monitor.db")));
    }

    private static double count(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l ->
                Double.parseDouble(l.substring(series.length() + 1).trim())).findFirst().orElse(-1);
    }
}
