package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;

/**
 * Brings the shipped {@code docker compose} stack up where a Docker engine exists and checks what a newcomer sees:
 * Grafana lists the provisioned dashboards, Prometheus has the rules and scrapes poolwatch, Alertmanager has the
 * recovery receiver. Without Docker it is skipped and says so; the stack is then covered by ComposeFileTest
 * (docker-compose config), the dashboard lint and query tests, and the end-to-end tests with local binaries.
 */
@Timeout(900)
class ComposeStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static JsonNode get(String url, String basicAuth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
        if (basicAuth != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    basicAuth.getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode());
        }
        return JSON.readTree(r.body());
    }

    @Test
    void composeUpServesDashboardsRulesAndTheRecoveryReceiver() throws Exception {
        assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker engine on this machine, so the"
                + " compose stack is not started; docker-compose config, ComposeFileTest, the dashboard query test and"
                + " the end-to-end recovery tests cover it without Docker");
        try (ComposeContainer stack = new ComposeContainer(RepoRoot.path().resolve("docker-compose.yml").toFile())
                .withBuild(true).withEnv("GRAFANA_ADMIN_PASSWORD", "poolwatch")) {
            stack.start();
            await().atMost(Duration.ofMinutes(5)).ignoreExceptions().untilAsserted(() -> {
                JsonNode found = get("http://127.0.0.1:3000/api/search?type=dash-db", "admin:poolwatch");
                List<String> uids = new ArrayList<>();
                found.forEach(d -> uids.add(d.path("uid").asText()));
                assertThat(uids).contains("poolwatch-overview", "poolwatch-pool-detail", "poolwatch-recovery",
                        "poolwatch-jvm");
            });
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().untilAsserted(() -> {
                assertThat(get("http://127.0.0.1:9090/api/v1/rules", null).at("/data/groups").size()).isPositive();
                JsonNode targets = get("http://127.0.0.1:9090/api/v1/targets", null).at("/data/activeTargets");
                assertThat(targets).anySatisfy(t -> {
                    assertThat(t.at("/labels/job").asText()).isEqualTo("poolwatch");
                    assertThat(t.path("health").asText()).isEqualTo("up");
                });
                assertThat(get("http://127.0.0.1:9093/api/v2/status", null).at("/config/original").asText())
                        .contains("poolwatch-recovery");
            });
        }
    }
}
