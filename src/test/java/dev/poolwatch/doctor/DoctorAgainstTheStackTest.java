package dev.poolwatch.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.integrity.IntegritySchedule;
import dev.poolwatch.integrity.ScheduledIntegrityChecks;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code poolwatch doctor} against real Prometheus and Alertmanager: a healthy stack, and one where every piece is
 * broken (exporter down so the target is down, rules replaced by one that fails to evaluate, the recovery route
 * matching nothing), plus a wrong token, an exporter no target scrapes and an exporter that is not running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class DoctorAgainstTheStackTest {

    private static final String TOKEN = "doctor-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private LocalStack healthy;
    private LocalStack broken;
    private URI nothingListens;
    private Path tokenFile;

    @BeforeAll
    void start() throws Exception {
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN);
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").build());
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN).eventStore(dir.resolve("events.db"))
                .extension(new RecoveryRoutes(RecoverySettings.DEFAULT))
                .extension(new ScheduledIntegrityChecks(new IntegritySchedule(Duration.ofSeconds(1),
                        Duration.ofSeconds(1)))).start();
        Path repo = Path.of("").toAbsolutePath();
        healthy = LocalStack.builder(repo, watch.uri(), tokenFile).interval(Duration.ofSeconds(1))
                .resendDelay(Duration.ofSeconds(1)).start();
        try (ServerSocket s = new ServerSocket(0)) {
            nothingListens = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
        broken = LocalStack.builder(repo, nothingListens, tokenFile).interval(Duration.ofSeconds(1))
                .resendDelay(Duration.ofSeconds(1))
                .rules(rules -> "groups:\n  - name: broken\n    rules:\n      - record: job:broken:sum\n"
                        + "        expr: '{__name__=~\"up|scrape_duration_seconds\"}'\n")
                .alertmanagerConfig(am -> am.replace("recovery_action=~\".+\"", "recovery_action=\"never\""))
                .start();
        await(healthy, "/api/v1/targets", targetIs(watch.uri(), "up"));
        await(healthy, "/api/v1/rules", b -> b.toString().contains("\"health\":\"ok\""));
        await(broken, "/api/v1/targets", targetIs(nothingListens, "down"));
        await(broken, "/api/v1/rules", b -> b.toString().contains("\"health\":\"err\""));
    }

    /**
     * The target that scrapes {@code endpoint} has that health. Any target would not do: the stack scrapes more than
     * the exporter, and one of the others being up first let the doctor run while the exporter's was still unknown.
     */
    private static Predicate<JsonNode> targetIs(URI endpoint, String health) {
        String port = ":" + endpoint.getPort() + "/";
        return body -> {
            for (JsonNode t : body.path("data").path("activeTargets")) {
                if (t.path("scrapeUrl").asText().contains(port)) {
                    return health.equals(t.path("health").asText());
                }
            }
            return false;
        };
    }

    private static void await(LocalStack stack, String path, Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(stack.prometheus().resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            last = JSON.readTree(r.body());
            if (ready.test(last)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(path + " never got ready: " + last + stack.lastLog());
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {broken, healthy, watch, pool}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private DoctorRun doctor(URI exporter, LocalStack stack, Path token) {
        return DoctorRun.of("doctor", "--json", "--exporter", exporter.toString(), "--prometheus",
                stack.prometheus().toString(), "--alertmanager", stack.alertmanagers().get(0).toString(),
                "--token-file", token.toString());
    }

    @Test
    void healthyDeploymentPassesEveryCheckAndExitsZero() throws Exception {
        DoctorRun r = doctor(watch.uri(), healthy, tokenFile);

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.checks()).containsOnlyKeys("exporter answers /metrics", "exporter metrics lint",
                "prometheus scrapes the exporter", "prometheus has poolwatch's rules",
                "prometheus rules evaluate without errors", "prometheus sends alerts to alertmanager",
                "alertmanager routes recovery alerts to the webhook", "webhook accepts the token",
                "grafana dashboards");
        r.checks().forEach((name, c) -> assertThat(c.get("status").asText()).as(name + ": " + c)
                .isEqualTo(name.equals("grafana dashboards") ? "skip" : "pass"));
        assertThat(r.checks().get("exporter metrics lint").get("detail").asText()).contains("promtool check metrics");
        assertThat(scrape()).as("the linted scrape carries the integrity meters").contains("sqlite_pool_integrity_checks_total{pool=\"app\",result=\"ok\"}");
        assertThat(r.checks().get("alertmanager routes recovery alerts to the webhook").get("detail").asText())
                .contains("poolwatch-recovery -> " + watch.uri() + "/alertmanager/webhook");
        assertThat(pool.stats().restarts()).isZero();
    }

    private String scrape() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(watch.uri().resolve("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void everyBrokenPieceIsAFailedCheckWithItsFix() {
        DoctorRun r = doctor(nothingListens, broken, tokenFile);

        assertThat(r.code()).as(r.out()).isEqualTo(1);
        assertThat(r.status("exporter answers /metrics")).isEqualTo("fail");
        assertThat(r.status("exporter metrics lint")).isEqualTo("skip");
        JsonNode target = r.checks().get("prometheus scrapes the exporter");
        assertThat(target.get("status").asText()).isEqualTo("fail");
        assertThat(target.get("detail").asText()).contains("is down");
        assertThat(r.status("prometheus has poolwatch's rules")).isEqualTo("fail");
        JsonNode health = r.checks().get("prometheus rules evaluate without errors");
        assertThat(health.get("status").asText()).isEqualTo("fail");
        assertThat(health.get("detail").asText()).contains("job:broken:sum");
        JsonNode route = r.checks().get("alertmanager routes recovery alerts to the webhook");
        assertThat(route.get("status").asText()).isEqualTo("fail");
        assertThat(route.get("detail").asText()).contains("reaches [default]");
        assertThat(route.get("fix").asText()).contains("recovery_action=~");
        assertThat(r.status("webhook accepts the token")).isEqualTo("skip");
        r.checks().values().stream().filter(c -> c.get("status").asText().equals("fail"))
                .forEach(c -> assertThat(c.get("fix").asText()).as(c.toString()).isNotBlank());
    }

    @Test
    void wrongTokenFailsTheWebhookCheckAndRunsNothing() throws Exception {
        DoctorRun r = doctor(watch.uri(), healthy, Files.writeString(dir.resolve("wrong"), "not-the-token"));

        assertThat(r.code()).isEqualTo(1);
        JsonNode hook = r.checks().get("webhook accepts the token");
        assertThat(hook.get("status").asText()).isEqualTo("fail");
        assertThat(hook.get("detail").asText()).contains("HTTP 401");
        assertThat(hook.get("fix").asText()).contains("same file");
        assertThat(r.status("prometheus scrapes the exporter")).isEqualTo("pass");
    }

    @Test
    void exporterThatNoTargetScrapesFailsTheTargetCheck() throws Exception {
        try (SqlitePool other = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("other.db")).name("other")
                .build());
             PoolWatch unscraped = PoolWatch.builder().pool(other).port(0).eventStore(dir.resolve("other-events.db"))
                     .start()) {
            DoctorRun r = doctor(unscraped.uri(), healthy, tokenFile);

            assertThat(r.code()).isEqualTo(1);
            assertThat(r.status("exporter answers /metrics")).isEqualTo("pass");
            JsonNode target = r.checks().get("prometheus scrapes the exporter");
            assertThat(target.get("status").asText()).isEqualTo("fail");
            assertThat(target.get("detail").asText()).contains("no active target scrapes 127.0.0.1:"
                    + unscraped.port());
            assertThat(r.status("webhook accepts the token")).as("that exporter runs without a token").isEqualTo("fail");
        }
    }

    @Test
    void tableNamesTheFixUnderEachFailure() {
        DoctorRun r = DoctorRun.of("doctor", "--exporter", nothingListens.toString());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("exporter answers /metrics").contains("FAIL").contains("fix: start poolwatch")
                .contains("SKIP").contains("1 check(s) failed");
    }
}
