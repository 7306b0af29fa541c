package dev.poolwatch.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.fleet.TestFleet;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery in a fleet with the real binaries: three instances (each with its own database and a pool named "demo"),
 * one Prometheus scraping all three, two clustered Alertmanagers whose one webhook URL names the first instance's
 * relay. A fault on the second instance must be acted on by the second instance, once, and by no other.
 */
@Timeout(240)
class FleetRecoveryEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration BOUND = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /** The shipped routing, made fast, with the one change a fleet needs: the relay instead of the webhook. */
    static String fleetRouting(String config) {
        return RecoveryLoopEndToEndTest.fastRouting(config).replace("/alertmanager/webhook", "/alertmanager/relay");
    }

    @Test
    void faultOnTheSecondInstanceIsRecoveredThereOnceAndNowhereElse() throws Exception {
        RecoverySettings settings = new RecoverySettings(false, Duration.ofSeconds(30), Duration.ofMinutes(5), 20,
                Duration.ofMinutes(5), Duration.ofMinutes(5), 8, 500);
        Path token = Files.writeString(dir.resolve("token"), TestFleet.TOKEN);
        try (TestFleet fleet = TestFleet.start(dir, 3, settings, 40);
             LocalStack stack = LocalStack.builder(Path.of("").toAbsolutePath(), fleet.uri(0), token)
                     .alsoScrape(fleet.uris().subList(1, 3)).interval(Duration.ofSeconds(1))
                     .resendDelay(Duration.ofSeconds(1)).alertmanagers(2).rules(RecoveryLoopEndToEndTest::fastRules)
                     .alertmanagerConfig(FleetRecoveryEndToEndTest::fleetRouting).start()) {
            await().atMost(BOUND).until(() -> query(stack, "count(up{job=\"poolwatch\"} == 1)").path(0)
                    .path("value").path(1).asInt() == 3);

            assertThat(fleet.post(1, "/api/demo/faults/leak", "{\"seconds\": 120}").statusCode()).isEqualTo(202);

            await().atMost(BOUND).untilAsserted(() -> assertThat(fleet.recovery(1, "reclaim_leaks", "succeeded"))
                    .as(stack.lastLog()).isNotEmpty());
            // Both Alertmanagers and every repeat have had time to deliver again.
            Thread.sleep(8_000);
            assertThat(fleet.recovery(1, "reclaim_leaks", "executed")).hasSize(1);
            assertThat(fleet.recovery(1, "reclaim_leaks", "succeeded")).hasSize(1);
            assertThat(fleet.pool(1).stats().leaksReclaimed()).isPositive();
            for (int other : new int[] {0, 2}) {
                assertThat(fleet.recovery(other, "reclaim_leaks", "executed")).as("instance %d", other).isEmpty();
                assertThat(fleet.pool(other).stats().leaksReclaimed()).as("instance %d", other).isZero();
            }
            List<JsonNode> relayed = fleet.recovery(0, "reclaim_leaks", "relayed");
            assertThat(relayed).isNotEmpty().allSatisfy(e -> {
                assertThat(e.path("details").path("instance").asText()).isEqualTo(fleet.instance(1));
                assertThat(e.path("details").path("peer").asText()).isEqualTo(fleet.instance(1));
            });
            assertThat(relayed.get(0).path("details").path("ownerOutcome").asText()).isEqualTo("executed");
            assertThat(fleet.events(2, "recovery")).as("the third instance neither relayed nor acted").isEmpty();
        }
    }

    private static JsonNode query(LocalStack stack, String promql) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.prometheus() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body()).path("data").path("result");
    }
}
