package dev.poolwatch.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.DemoFaultRoutes;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole loop with the real binaries: a fault in the pool, a Prometheus rule (a test copy with short windows and
 * {@code for:}), Alertmanager's routing, the recovery webhook, and the pool healthy again with no committed write lost.
 */
@Timeout(240)
class RecoveryLoopEndToEndTest {

    private static final String TOKEN = "end-to-end-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private SteadyLoad load;
    private LocalStack stack;

    /** Shortens what makes alerts slow to fire or resolve: {@code for:} and rate windows. */
    static String fastRules(String rules) {
        return rules.replaceAll("for: \\d+[smh]", "for: 1s")
                .replaceAll("\\[(1|2|5|10|30)m\\]", "[15s]");
    }

    static String fastRouting(String config) {
        return config.replaceAll("group_wait: \\d+s", "group_wait: 1s")
                .replaceAll("group_interval: \\d+m", "group_interval: 2s");
    }

    private void start(int alertmanagers) throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("demo.db")).name("demo").maxReaders(4)
                .acquireTimeout(Duration.ofMillis(500)).busyTimeout(Duration.ofMillis(500))
                .leakDetectionThreshold(Duration.ofSeconds(1)).leakReclaimTimeout(Duration.ofSeconds(2))
                .housekeepingPeriod(Duration.ofMillis(100)).build());
        BotWorkload workload = new BotWorkload(pool, 100);
        workload.prepare();
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN)
                .extension(new RecoveryRoutes(new RecoverySettings(false, Duration.ofSeconds(30), Duration.ofMinutes(5),
                        20, Duration.ofMinutes(5), Duration.ofMinutes(5), 8, 500)))
                .extension(new DemoFaultRoutes(pool)).start();
        load = new SteadyLoad(workload, 4, 100, 70, workload.maxOpId()).start();
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        stack = LocalStack.builder(Path.of("").toAbsolutePath(), watch.uri(), token).interval(Duration.ofSeconds(1))
                .resendDelay(Duration.ofSeconds(1)).alertmanagers(alertmanagers).rules(RecoveryLoopEndToEndTest::fastRules)
                .alertmanagerConfig(RecoveryLoopEndToEndTest::fastRouting).start();
        // Faults start once Prometheus scrapes, so the counters' increase() sees them happen.
        await().atMost(BOUND).until(() -> query("up{job=\"poolwatch\"} == 1").size() > 0);
    }

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
        if (load != null) {
            load.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private HttpResponse<String> fault(String name, int seconds) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/demo/faults/" + name))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\": " + seconds + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode query(String promql) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.prometheus() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body()).path("data").path("result");
    }

    private boolean firing(String alertname) throws Exception {
        return query("ALERTS{alertname=\"" + alertname + "\",alertstate=\"firing\"}").size() > 0;
    }

    private List<Event> recovery(String action, String outcome) throws Exception {
        watch.events().flush(Duration.ofSeconds(5));
        return watch.events().events(new EventQuery(null, "demo", "recovery", null, 1000)).stream()
                .filter(e -> action.equals(e.details().get("action")) && outcome.equals(e.details().get("outcome")))
                .toList();
    }

    private void assertNoCommittedWriteLost() throws Exception {
        load.close();
        long present = pool.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM bot_message WHERE op_id > "
                    + load.firstOpId())) {
                rs.next();
                return rs.getLong(1);
            }
        });
        assertThat(load.writes()).isPositive();
        assertThat(present).as("rows of acknowledged writes").isEqualTo(load.writes());
    }

    @Test
    void leakedConnectionsAreReclaimedAfterTheLeakAlert() throws Exception {
        start(1);
        HttpResponse<String> leak = fault("leak", 120);
        assertThat(leak.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(leak.body()).get("leakedReaders").asInt()).isPositive();
        await().atMost(BOUND).until(() -> pool.stats().leaksSuspected() > 0);
        await().atMost(BOUND).until(() -> firing("SqlitePoolConnectionLeak"));
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(recovery("reclaim_leaks", "succeeded")).as(stack.lastLog()).isNotEmpty());
        await().atMost(BOUND).untilAsserted(() -> {
            assertThat(pool.stats().reader().pending()).isZero();
            assertThat(pool.stats().reader().active()).isLessThan(pool.stats().reader().max());
        });
        assertThat(pool.stats().leaksReclaimed()).isPositive();
        assertNoCommittedWriteLost();
    }

    @Test
    void bloatedWalIsCheckpointedAway() throws Exception {
        start(1);
        assertThat(fault("wal_bloat", 120).statusCode()).isEqualTo(202);
        await().atMost(BOUND).until(() -> pool.walSizeBytes() > 256L * 1024 * 1024);
        await().atMost(BOUND).until(() -> firing("SqlitePoolWalTooLarge"));
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(recovery("checkpoint", "succeeded")).as(stack.lastLog()).isNotEmpty());
        assertThat(pool.walSizeBytes()).isLessThan(16L * 1024 * 1024);
        await().atMost(BOUND).until(() -> !firing("SqlitePoolWalTooLarge"));
        assertNoCommittedWriteLost();
    }

    @Test
    void lockHeldByAnotherConnectionIsDiagnosedNotRestartedAway() throws Exception {
        start(1);
        assertThat(fault("lock", 8).statusCode()).isEqualTo(202);
        await().atMost(BOUND).until(() -> firing("SqlitePoolLockContention"));
        assertThat(pool.stats().errors().get(dev.poolwatch.pool.ErrorKind.BUSY)).isPositive();
        await().atMost(BOUND).until(() -> !firing("SqlitePoolLockContention"));
        assertThat(pool.stats().restarts()).isZero();
        watch.events().flush(Duration.ofSeconds(5));
        assertThat(watch.events().events(new EventQuery(null, "demo", "recovery", null, 1000)))
                .noneMatch(e -> "SqlitePoolLockContention".equals(e.details().get("alertname"))
                        && "executed".equals(e.details().get("outcome")));
        assertNoCommittedWriteLost();
    }

    @Test
    void clusteredAlertmanagersRunTheActionExactlyOnce() throws Exception {
        start(2);
        assertThat(fault("leak", 120).statusCode()).isEqualTo(202);
        await().atMost(BOUND).untilAsserted(() ->
                assertThat(recovery("reclaim_leaks", "succeeded")).as(stack.lastLog()).isNotEmpty());
        Thread.sleep(8_000);
        assertThat(recovery("reclaim_leaks", "executed")).hasSize(1);
        assertThat(recovery("reclaim_leaks", "succeeded")).hasSize(1);
        assertNoCommittedWriteLost();
    }
}
