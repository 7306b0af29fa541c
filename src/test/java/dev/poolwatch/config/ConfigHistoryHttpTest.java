package dev.poolwatch.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ConfigHistoryHttpTest {

    private static final String TOKEN = "history-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    /** Short trials for tests only; users get {@link TrialSettings#DEFAULT} (1m to 24h). */
    private static final TrialSettings FAST = new TrialSettings(Duration.ofMillis(300), Duration.ofHours(1),
            Duration.ofMillis(50));

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4)
                .acquireTimeout(Duration.ofSeconds(2)).build());
        watch = exporter(FAST);
    }

    private PoolWatch exporter(TrialSettings trials) throws Exception {
        return PoolWatch.builder().pool(pool).port(0).token(TOKEN).configTrials(trials).start();
    }

    @AfterEach
    void stop() {
        if (watch != null) {
            watch.close();
        }
        pool.close();
    }

    private HttpResponse<String> send(String method, String path, String body, boolean token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(watch.uri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token) {
            b.header("Authorization", "Bearer " + TOKEN);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode history(String query) throws Exception {
        return ok(send("GET", "/api/pools/app/config/history" + query, null, false));
    }

    private List<Event> configEvents() {
        watch.events().flush(Duration.ofSeconds(5));
        try {
            return watch.events().events(new EventQuery(null, "app", "config", null, 50));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyChangeIsANumberedVersionWithWhoWhenAndWhatPagedNewestFirst() throws Exception {
        ok(send("PUT", "/api/pools/app/config", "{\"maxReaders\": 7}", true));
        ok(send("PUT", "/api/pools/app/config", "{\"idleTimeoutMs\": 101000}", true));

        JsonNode first = history("?limit=2");
        assertThat(first.get("versions")).hasSize(2);
        JsonNode v3 = first.get("versions").get(0);
        assertThat(v3.get("version").asLong()).isEqualTo(3);
        assertThat(v3.get("actor").asText()).isEqualTo("token");
        assertThat(v3.get("action").asText()).isEqualTo("put");
        assertThat(v3.get("changes").toString()).isEqualTo("{\"idleTimeoutMs\":{\"from\":600000,\"to\":101000}}");
        assertThat(v3.get("settings").get("maxReaders").asInt()).isEqualTo(7);
        assertThat(v3.get("time").asText()).startsWith(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString());
        assertThat(first.get("versions").get(1).get("changes").toString())
                .isEqualTo("{\"maxReaders\":{\"from\":4,\"to\":7}}");
        JsonNode rest = history(first.get("next").asText().replace("/api/pools/app/config/history", ""));
        assertThat(rest.get("versions")).hasSize(1);
        JsonNode v1 = rest.get("versions").get(0);
        assertThat(v1.get("version").asLong()).isEqualTo(1);
        assertThat(v1.get("actor").asText()).isEqualTo("startup");
        assertThat(v1.get("settings").get("maxReaders").asInt()).isEqualTo(4);
        assertThat(rest.get("next").isNull()).isTrue();
        assertThat(send("GET", "/api/pools/app/config/history?limit=0", null, false).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/pools/app/config/history?limit=101", null, false).body()).contains("limit")
                .contains("between 1 and 100");
        assertThat(send("GET", "/api/pools/app/config/history?page=2", null, false).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/api/pools/nope/config/history", null, false).statusCode()).isEqualTo(404);
    }

    @Test
    void rollbackRestoresAnOldVersionAsANewOneAuditedAndSavedForTheNextStart() throws Exception {
        ok(send("PUT", "/api/pools/app/config", "{\"maxReaders\": 7, \"acquireTimeoutMs\": 1500}", true));
        ok(send("PUT", "/api/pools/app/config", "{\"maxReaders\": 9}", true));

        JsonNode r = ok(send("POST", "/api/pools/app/config/rollback", "{\"version\": 2}", true));

        assertThat(r.get("changed").asBoolean()).isTrue();
        assertThat(r.get("current").get("version").asLong()).isEqualTo(4);
        assertThat(r.get("current").get("action").asText()).isEqualTo("rollback");
        assertThat(r.get("current").get("rollbackTo").asLong()).isEqualTo(2);
        assertThat(r.get("current").get("changes").toString()).isEqualTo("{\"maxReaders\":{\"from\":9,\"to\":7}}");
        assertThat(pool.config().maxReaders()).isEqualTo(7);
        assertThat(configEvents()).anySatisfy(e -> assertThat(e.message())
                .contains("rolled back to version 2 through the API (now version 4)"));

        ok(send("POST", "/api/pools/app/config/rollback", "{\"version\": 1}", true));
        assertThat(pool.config().maxReaders()).isEqualTo(4);
        assertThat(pool.config().acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        watch.close();
        pool.reconfigure(pool.config().toBuilder().maxReaders(12).acquireTimeout(Duration.ofSeconds(9)).build());
        watch = exporter(FAST);
        assertThat(pool.config().maxReaders()).as("the rolled-back value is what is saved").isEqualTo(4);
        assertThat(pool.config().acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void badRollbacksAreProblemsThatChangeNothing() throws Exception {
        ok(send("PUT", "/api/pools/app/config", "{\"maxReaders\": 7}", true));
        SqlitePoolConfig before = pool.config();
        String historyBefore = history("").toString();

        assertThat(send("POST", "/api/pools/app/config/rollback", "{\"version\": 1}", false).statusCode())
                .isEqualTo(401);
        for (String body : List.of("{}", "{\"version\": 0}", "{\"version\": \"1\"}", "{\"version\": 1.5}",
                "{\"version\": 1, \"force\": true}")) {
            HttpResponse<String> r = send("POST", "/api/pools/app/config/rollback", body, true);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        }
        HttpResponse<String> unknown = send("POST", "/api/pools/app/config/rollback", "{\"version\": 99}", true);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("no configuration version 99");
        assertThat(send("POST", "/api/pools/nope/config/rollback", "{\"version\": 1}", true).statusCode())
                .isEqualTo(404);

        assertThat(pool.config()).isSameAs(before);
        assertThat(history("").toString()).isEqualTo(historyBefore);
    }

    @Test
    void trialDurationOutsideItsBoundsIsRefusedNamingThemAndChangesNothing() throws Exception {
        watch.close();
        watch = exporter(TrialSettings.DEFAULT);
        SqlitePoolConfig before = pool.config();
        for (String trial : List.of("59s", "25h", "10", "ten", "-1m")) {
            HttpResponse<String> r = send("PUT", "/api/pools/app/config?trial=" + trial, "{\"maxReaders\": 7}", true);
            assertThat(r.statusCode()).as(trial).isEqualTo(400);
            assertThat(r.body()).contains("trial must be a duration between 1m and 24h");
        }
        HttpResponse<String> same = send("PUT", "/api/pools/app/config?trial=10m", "{\"maxReaders\": 4}", true);
        assertThat(same.statusCode()).isEqualTo(400);
        assertThat(same.body()).contains("a trial needs a change");
        assertThat(pool.config()).isSameAs(before);
        assertThat(history("").get("versions")).hasSize(1);
    }

    @Test
    void trialWhoseTimeoutsAndErrorsStayAtTheBaselineIsKept() throws Exception {
        JsonNode put = ok(send("PUT", "/api/pools/app/config?trial=400ms", "{\"maxReaders\": 6}", true));
        assertThat(put.get("version").asLong()).isEqualTo(2);
        assertThat(put.has("trialUntil")).isTrue();
        for (int i = 0; i < 20; i++) {
            pool.read(c -> c.isValid(1));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> history("").get("versions").get(0).path("trial")
                .path("outcome").asText().equals("kept"));
        assertThat(pool.config().maxReaders()).isEqualTo(6);
        assertThat(history("").get("versions")).as("no rollback version").hasSize(2);
        assertThat(configEvents()).anySatisfy(e -> assertThat(e.message()).startsWith("trial of version 2 kept"));
    }

    @Test
    void trialWhoseTimeoutsRiseAboveTheBaselineRollsBackByItselfAndSaysSo() throws Exception {
        for (int i = 0; i < 20; i++) {
            pool.read(c -> c.isValid(1));
        }
        ok(send("PUT", "/api/pools/app/config?trial=30s", "{\"maxReaders\": 1, \"acquireTimeoutMs\": 50}", true));
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (Connection c = pool.reader().getConnection()) {
                held.countDown();
                release.await();
            } catch (Exception e) {
                held.countDown();
            }
        });
        holder.start();
        try {
            held.await();
            try {
                pool.read(c -> c.isValid(1));
            } catch (PoolTimeoutException expected) {
                // the one timeout the trial has to notice
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.config().maxReaders() == 4);
        } finally {
            release.countDown();
            holder.join(5000);
        }

        assertThat(pool.config().acquireTimeout()).isEqualTo(Duration.ofSeconds(2));
        JsonNode versions = history("").get("versions");
        assertThat(versions.get(0).get("actor").asText()).isEqualTo("trial:2");
        assertThat(versions.get(0).get("action").asText()).isEqualTo("trial-rollback");
        assertThat(versions.get(0).get("rollbackTo").asLong()).isEqualTo(1);
        assertThat(versions.get(1).get("trial").get("outcome").asText()).isEqualTo("rolled-back");
        Event e = configEvents().stream().filter(x -> x.message().startsWith("trial of version 2")).findFirst()
                .orElseThrow();
        assertThat(e.severity().tag()).isEqualTo("warning");
        assertThat(e.message()).contains("rolled back by itself (now version 3): timeouts rose: 1 in");
        assertThat(e.details()).containsEntry("baselineTimeouts", 0).containsEntry("trialTimeouts", 1);
    }

    @Test
    void trialEndedByAnotherChangeIsSupersededAndAnUnfinishedOneIsRolledBackAtTheNextStart() throws Exception {
        ok(send("PUT", "/api/pools/app/config?trial=1h", "{\"maxReaders\": 6}", true));
        ok(send("PUT", "/api/pools/app/config", "{\"idleTimeoutMs\": 101000}", true));
        assertThat(history("").get("versions").get(1).get("trial").get("outcome").asText()).isEqualTo("superseded");
        assertThat(pool.config().maxReaders()).as("the trial's change stays").isEqualTo(6);

        ok(send("PUT", "/api/pools/app/config?trial=1h", "{\"maxReaders\": 8}", true));
        watch.close();
        watch = exporter(FAST);

        assertThat(pool.config().maxReaders()).as("the unproven trial is undone").isEqualTo(6);
        JsonNode versions = history("").get("versions");
        assertThat(versions.get(0).get("actor").asText()).isEqualTo("startup");
        assertThat(versions.get(0).get("action").asText()).isEqualTo("trial-rollback");
        assertThat(versions.get(1).get("trial").get("outcome").asText()).isEqualTo("rolled-back");
        assertThat(configEvents()).anySatisfy(e -> assertThat(e.message())
                .contains("trial of version 4 rolled back at start-up"));
    }

    @Test
    void changesMadeOutsideTheApiAreRecordedWithWhoMadeThem() throws Exception {
        ConfigHistory.actingAs("recovery:resize_up", () -> {
            pool.resize(6);
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> history("").get("versions").size() == 2);
        pool.resize(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> history("").get("versions").size() == 3);

        JsonNode versions = history("").get("versions");
        assertThat(versions.get(1).get("actor").asText()).isEqualTo("recovery:resize_up");
        assertThat(versions.get(1).get("changes").toString()).isEqualTo("{\"maxReaders\":{\"from\":4,\"to\":6}}");
        assertThat(versions.get(0).get("actor").asText()).isEqualTo("outside-api");
    }
}
