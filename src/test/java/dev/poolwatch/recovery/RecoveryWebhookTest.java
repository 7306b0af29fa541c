package dev.poolwatch.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecoveryWebhookTest {

    private static final String TOKEN = "recovery-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private RecoveryRoutes recovery;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4)
                .leakDetectionThreshold(Duration.ofMillis(200)).leakReclaimTimeout(Duration.ofMillis(300))
                .housekeepingPeriod(Duration.ofMillis(50)).build());
        startExporter(RecoverySettings.DEFAULT);
    }

    private void startExporter(RecoverySettings settings) throws Exception {
        recovery = new RecoveryRoutes(settings);
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN).extension(recovery).start();
    }

    @AfterEach
    void stop() {
        watch.close();
        pool.close();
    }

    static String alert(String name, String status, String pool, String action, String fingerprint, String startsAt) {
        return "{\"status\":\"" + status + "\",\"labels\":{\"alertname\":\"" + name + "\",\"pool\":\"" + pool
                + "\",\"recovery_action\":\"" + action + "\",\"severity\":\"warning\"},\"annotations\":{},"
                + "\"startsAt\":\"" + startsAt + "\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"x\","
                + "\"fingerprint\":\"" + fingerprint + "\"}";
    }

    static String delivery(String... alerts) {
        return "{\"version\":\"4\",\"groupKey\":\"{}:{}\",\"truncatedAlerts\":0,\"status\":\"firing\","
                + "\"receiver\":\"poolwatch-recovery\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                + "\"externalURL\":\"http://am\",\"notification_reason\":\"new\",\"alerts\":[" + String.join(",", alerts)
                + "]}";
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(watch.uri() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> outcomes(HttpResponse<String> r) throws Exception {
        List<String> out = new ArrayList<>();
        JSON.readTree(r.body()).get("outcomes").forEach(o -> out.add(o.get("outcome").asText()));
        return out;
    }

    private List<Event> recoveryEvents() throws Exception {
        watch.events().flush(Duration.ofSeconds(5));
        return watch.events().events(new EventQuery(null, null, "recovery", null, 100));
    }

    @Test
    void firingAlertRunsItsActionOnceAndIsAudited() throws Exception {
        long evictedBefore = pool.stats().reader().connectionsClosed();
        HttpResponse<String> r = post("/alertmanager/webhook", delivery(alert("SqlitePoolExhausted", "firing", "app",
                "evict_idle", "fp1", "2026-11-25T10:00:00Z")), TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(outcomes(r)).containsExactly("executed");
        assertThat(recovery.engine().awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(pool.stats().reader().connectionsClosed()).isGreaterThan(evictedBefore);
        await().untilAsserted(() -> assertThat(recoveryEvents()).extracting(e -> e.details().get("outcome"))
                .contains("executed", "succeeded"));
        Event succeeded = recoveryEvents().stream().filter(e -> "succeeded".equals(e.details().get("outcome")))
                .findFirst().orElseThrow();
        assertThat(succeeded.details()).containsKeys("before", "after", "result");
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("poolwatch_recovery_actions_total{action=\"evict_idle\",outcome=\"succeeded\","
                + "pool=\"app\"} 1.0");
        assertThat(metrics).contains("poolwatch_recovery_action_duration_seconds_count{action=\"evict_idle\",pool=\"app\"} 1");
    }

    @Test
    void sameAlertDeliveredTwiceRunsOnce() throws Exception {
        String body = delivery(alert("SqlitePoolExhausted", "firing", "app", "evict_idle", "fp1", "2026-11-25T10:00:00Z"));
        assertThat(outcomes(post("/alertmanager/webhook", body, TOKEN))).containsExactly("executed");
        assertThat(outcomes(post("/alertmanager/webhook", body, TOKEN))).containsExactly("deduplicated");
        recovery.engine().awaitIdle(Duration.ofSeconds(10));
        assertThat(recoveryEvents().stream().filter(e -> "succeeded".equals(e.details().get("outcome")))).hasSize(1);
    }

    @Test
    void cooldownHoldsAndDoublesWhenTheSameAlertFiresAgainAndSurvivesARestart() throws Exception {
        watch.close();
        startExporter(new RecoverySettings(false, Duration.ofSeconds(1), Duration.ofSeconds(10), 100,
                Duration.ofMinutes(1), Duration.ofMinutes(1), 50, 500));
        String first = delivery(alert("A", "firing", "app", "optimize", "fpX", "t1"));
        assertThat(outcomes(post("/alertmanager/webhook", first, TOKEN))).containsExactly("executed");
        String refire = delivery(alert("A", "firing", "app", "optimize", "fpX", "t2"));
        assertThat(outcomes(post("/alertmanager/webhook", refire, TOKEN))).containsExactly("cooled_down");
        Thread.sleep(1100);
        HttpResponse<String> again = post("/alertmanager/webhook", refire, TOKEN);
        assertThat(outcomes(again)).containsExactly("executed");
        assertThat(JSON.readTree(again.body()).at("/outcomes/0/reason").asText()).contains("next cooldown 2 s");
        JsonNode state = JSON.readTree(CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/recovery"))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(state.at("/cooldowns/app~1optimize/cooldownSeconds").asLong()).isEqualTo(2);
        recovery.engine().awaitIdle(Duration.ofSeconds(10));

        watch.close();
        startExporter(new RecoverySettings(false, Duration.ofSeconds(30), Duration.ofMinutes(10), 100,
                Duration.ofMinutes(1), Duration.ofMinutes(1), 50, 500));
        String third = delivery(alert("A", "firing", "app", "optimize", "fpX", "t3"));
        assertThat(outcomes(post("/alertmanager/webhook", third, TOKEN))).as("the doubled 2 s cooldown was saved")
                .containsExactly("cooled_down");
        Thread.sleep(2100);
        assertThat(outcomes(post("/alertmanager/webhook", third, TOKEN))).containsExactly("executed");
        assertThat(outcomes(post("/alertmanager/webhook", refire, TOKEN))).as("dedupe keys survive a restart too")
                .containsExactly("deduplicated");
    }

    @Test
    void budgetOpensTheCircuitUntilClosedByTheApi() throws Exception {
        watch.close();
        startExporter(new RecoverySettings(false, Duration.ZERO, Duration.ZERO, 2, Duration.ofMinutes(1),
                Duration.ofMinutes(5), 50, 500));
        List<String> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.addAll(outcomes(post("/alertmanager/webhook", delivery(alert("A", "firing", "app", "optimize", "fp" + i,
                    "t")), TOKEN)));
        }
        assertThat(all).containsExactly("executed", "executed", "budget_suspended", "budget_suspended");
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("poolwatch_recovery_circuit_open 1.0");
        assertThat(post("/api/recovery/circuit/close", "", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/recovery/circuit/close", "", TOKEN).statusCode()).isEqualTo(200);
        assertThat(outcomes(post("/alertmanager/webhook", delivery(alert("A", "firing", "app", "optimize", "fp9", "t")),
                TOKEN))).containsExactly("executed");
    }

    @Test
    void unknownActionsAndPoolsAreRejectedAndResolvedAlertsRunNothing() throws Exception {
        HttpResponse<String> r = post("/alertmanager/webhook", delivery(
                alert("A", "firing", "app", "format_disk", "f1", "t"),
                alert("B", "firing", "nope", "optimize", "f2", "t"),
                alert("C", "resolved", "app", "optimize", "f3", "t")), TOKEN);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(outcomes(r)).containsExactly("rejected", "rejected", "resolved");
        String metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("poolwatch_recovery_actions_total{action=\"_unknown\",outcome=\"rejected\","
                + "pool=\"app\"} 1.0");
        assertThat(metrics).doesNotContain("format_disk").doesNotContain("pool=\"nope\"");
    }

    @Test
    void dryRunDecidesAndRecordsButRunsNothing() throws Exception {
        watch.close();
        startExporter(RecoverySettings.DEFAULT.withDryRun(true));
        long restartsBefore = pool.stats().restarts();
        assertThat(outcomes(post("/alertmanager/webhook", delivery(alert("A", "firing", "app", "restart_pool", "f", "t")),
                TOKEN))).containsExactly("dry_run");
        Thread.sleep(200);
        assertThat(pool.stats().restarts()).isEqualTo(restartsBefore);
        assertThat(recoveryEvents()).extracting(e -> e.details().get("outcome")).containsExactly("dry_run");
    }

    @Test
    void malformedOrUnauthenticatedDeliveriesAreRefusedAndRunNothing() throws Exception {
        String good = delivery(alert("A", "firing", "app", "restart_pool", "f", "t"));
        assertThat(post("/alertmanager/webhook", good, null).statusCode()).isEqualTo(401);
        assertThat(post("/alertmanager/webhook", good, "wrong").statusCode()).isEqualTo(401);
        for (String bad : List.of("{nope", "[]", "{}", "{\"alerts\": {}}", "{\"alerts\": [1]}",
                "{\"alerts\": [{\"labels\": {\"pool\": 5}}]}", "{\"version\": \"3\", \"alerts\": []}",
                "{\"alerts\": [{\"status\": \"exploded\"}]}")) {
            HttpResponse<String> r = post("/alertmanager/webhook", bad, TOKEN);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
        assertThat(pool.stats().restarts()).isZero();
        assertThat(recoveryEvents()).isEmpty();
    }

    @Test
    void manualTriggerUsesTheSameChecksAndForceSkipsTheCooldown() throws Exception {
        assertThat(outcomes(post("/api/pools/app/actions/optimize", "", TOKEN))).containsExactly("executed");
        assertThat(outcomes(post("/api/pools/app/actions/optimize", "", TOKEN))).containsExactly("cooled_down");
        assertThat(outcomes(post("/api/pools/app/actions/optimize?force=true", "", TOKEN))).containsExactly("executed");
        assertThat(post("/api/pools/app/actions/optimize", "", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/pools/nope/actions/optimize", "", TOKEN).statusCode()).isEqualTo(404);
        assertThat(post("/api/pools/app/actions/drop_table", "", TOKEN).statusCode()).isEqualTo(400);
        assertThat(post("/api/pools/app/actions/optimize?force=maybe", "", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void reclaimLeaksHealsAPoolExhaustedByLeaks() throws Exception {
        List<Connection> leaked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            leaked.add(pool.reader().getConnection());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().leaksSuspected() == 4
                && pool.stats().reader().oldestBorrowNanos() > Duration.ofMillis(400).toNanos());
        assertThat(outcomes(post("/alertmanager/webhook", delivery(alert("SqlitePoolConnectionLeak", "firing", "app",
                "reclaim_leaks", "leak", "t")), TOKEN))).containsExactly("executed");
        recovery.engine().awaitIdle(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().reader().active() == 0);
        assertThat(pool.stats().leaksReclaimed()).isEqualTo(4);
        assertThat((Boolean) pool.read(c -> c.isValid(1))).isTrue();
        for (Connection c : leaked) {
            assertThat(c.isClosed()).isTrue();
        }
    }

    @Test
    void senderControlledTextCannotForgeLogLines() {
        assertThat(RecoveryEngine.printable("evil\nINFO forged line")).isEqualTo("evil\\u000aINFO forged line");
        assertThat(RecoveryEngine.printable("x".repeat(500))).hasSize(201).endsWith("…");
    }
}
