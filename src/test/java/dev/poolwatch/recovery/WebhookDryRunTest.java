package dev.poolwatch.recovery;

import static dev.poolwatch.recovery.RecoveryWebhookTest.alert;
import static dev.poolwatch.recovery.RecoveryWebhookTest.delivery;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.EventQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ?dryRun=true} on the webhook: the token and payload are checked, nothing else happens. */
class WebhookDryRunTest {

    private static final String TOKEN = "dry-run-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").build());
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN)
                .extension(new RecoveryRoutes(RecoverySettings.DEFAULT)).start();
    }

    @AfterEach
    void stop() {
        watch.close();
        pool.close();
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(watch.uri() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String recoveryState() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/recovery")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String recoveryCounters() throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines()
                .filter(l -> l.startsWith("poolwatch_recovery_actions_total")).toList().toString();
    }

    @Test
    void dryRunDeliveryPreviewsEachAlertAndChangesNothing() throws Exception {
        String body = delivery(alert("SqlitePoolReadOnly", "firing", "app", "restart_pool", "fp1", "t1"),
                alert("SqlitePoolReadOnly", "firing", "nope", "restart_pool", "fp2", "t1"));
        String stateBefore = recoveryState();
        String countersBefore = recoveryCounters();

        HttpResponse<String> r = post("/alertmanager/webhook?dryRun=true", body, TOKEN);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode outcomes = JSON.readTree(r.body()).get("outcomes");
        assertThat(outcomes.get(0).get("outcome").asText()).isEqualTo("would_run");
        assertThat(outcomes.get(1).get("outcome").asText()).isEqualTo("would_reject");
        assertThat(outcomes.get(1).get("reason").asText()).contains("unknown pool 'nope'");
        Thread.sleep(200);
        assertThat(pool.stats().restarts()).isZero();
        assertThat(recoveryState()).isEqualTo(stateBefore);
        assertThat(recoveryCounters()).isEqualTo(countersBefore);
        watch.events().flush(Duration.ofSeconds(5));
        assertThat(watch.events().events(new EventQuery(null, null, "recovery", null, 10))).isEmpty();
        // No deduplication entry either: the same alert delivered for real still acts.
        JsonNode real = JSON.readTree(post("/alertmanager/webhook", body, TOKEN).body());
        assertThat(real.get("outcomes").get(0).get("outcome").asText()).isEqualTo("executed");
    }

    @Test
    void dryRunStillNeedsTheTokenAndAValidFlag() throws Exception {
        String body = delivery(alert("SqlitePoolReadOnly", "firing", "app", "restart_pool", "fp1", "t1"));
        assertThat(post("/alertmanager/webhook?dryRun=true", body, "wrong").statusCode()).isEqualTo(401);
        assertThat(post("/alertmanager/webhook?dryRun=true", body, null).statusCode()).isEqualTo(401);
        HttpResponse<String> bad = post("/alertmanager/webhook?dryRun=yes", body, TOKEN);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("dryRun must be true or false");
        Thread.sleep(200);
        assertThat(pool.stats().restarts()).isZero();
    }
}
