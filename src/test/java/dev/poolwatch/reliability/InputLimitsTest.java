package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
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

/** Oversized, deeply nested and enormous-but-legal deliveries: a clear 4xx or a bounded, recorded outcome. */
class InputLimitsTest {

    private static final String TOKEN = "limits-token";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("l.db")).name("limits").build());
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN)
                .extension(new RecoveryRoutes(RecoverySettings.DEFAULT.withDryRun(true))).start();
    }

    @AfterEach
    void stop() {
        watch.close();
        pool.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bodyOverTheLimitIs413WithoutReadingIt() throws Exception {
        HttpResponse<String> r = post("/alertmanager/webhook", "{\"alerts\":[],\"pad\":\"" + "x".repeat(2 * 1024 * 1024)
                + "\"}");
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("larger than the limit of 1048576 bytes");
    }

    @Test
    void deepNestingIsABadRequestNotACrash() throws Exception {
        String deep = "{\"alerts\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        HttpResponse<String> r = post("/alertmanager/webhook", deep);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void thousandsOfAlertsAreCappedAndTheRestReported() throws Exception {
        StringBuilder alerts = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            if (i > 0) {
                alerts.append(',');
            }
            alerts.append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"A\",\"pool\":\"limits\",\"recovery_action\":"
                    + "\"optimize\"},\"fingerprint\":\"f").append(i).append("\",\"startsAt\":\"t\"}");
        }
        HttpResponse<String> r = post("/alertmanager/webhook", "{\"version\":\"4\",\"alerts\":[" + alerts + "]}");
        assertThat(r.statusCode()).isEqualTo(202);
        JsonNode answer = new ObjectMapper().readTree(r.body());
        assertThat(answer.get("outcomes").size()).isEqualTo(500);
        assertThat(answer.get("truncated").asInt()).isEqualTo(2500);
    }

    @Test
    void hugeLabelValuesAreHandledWithinTheBodyLimit() throws Exception {
        String big = "p".repeat(500_000);
        HttpResponse<String> r = post("/alertmanager/webhook", "{\"alerts\":[{\"status\":\"firing\",\"labels\":{"
                + "\"pool\":\"" + big + "\",\"recovery_action\":\"optimize\"}}]}");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.body()).contains("rejected");
        String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).as("hostile label values never become metric tags").doesNotContain(big.substring(0, 100));
        Figures.record("Input limits", "2 MiB body, 5000-deep JSON, 3000 alerts in one delivery, a 500 KB label value",
                4, "nothing; 413, 400, 500 alerts read and 2500 reported as truncated, rejected outcome");
    }
}
