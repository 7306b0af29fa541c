package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.fleet.TestFleet;
import dev.poolwatch.recovery.RecoverySettings;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet dashboard against a real Prometheus scraping three instances with the shipped rules: every query
 * evaluates, every panel that a healthy fleet feeds has data, and every per-instance query shows all three.
 */
@Timeout(180)
class FleetDashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Lists alerts, which a healthy fleet has none of. */
    private static final Set<String> QUIET_WHEN_HEALTHY = Set.of("Firing alerts by pool");

    @TempDir
    Path dir;

    private static JsonNode fleetDashboard() {
        return Dashboards.byUid("poolwatch-fleet").orElseThrow();
    }

    @Test
    void tableRowsLinkToThePoolDashboardForTheirInstanceAndPool() {
        JsonNode table = DashboardLinter.panels(fleetDashboard()).stream()
                .filter(p -> p.path("title").asText().equals("Every pool of every instance")).findFirst().orElseThrow();
        List<String> links = new ArrayList<>();
        table.path("fieldConfig").path("overrides").forEach(o -> o.path("properties").forEach(p -> {
            if (p.path("id").asText().equals("links")) {
                p.path("value").forEach(l -> links.add(l.path("url").asText()));
            }
        }));

        assertThat(links).anySatisfy(url -> assertThat(url).startsWith("/d/poolwatch-pool-detail?")
                .contains("var-instance=${__data.fields.instance}", "var-pool=${__data.fields.pool}"));
        assertThat(table.path("options").path("sortBy").get(0).path("displayName").asText()).isEqualTo("Health score");
        assertThat(table.path("targets")).extracting(t -> t.path("format").asText()).containsOnly("table");
    }

    /** docs/fleet.md promises the dashboard works on a central store fed by deploy/remote-write's edge config. */
    @Test
    void readsOnlySeriesTheEdgeWritesToACentralStore() {
        JsonNode keep = Compose.yaml("deploy/remote-write/prometheus.yml").path("remote_write").get(0)
                .path("write_relabel_configs").get(0);
        assertThat(keep.path("action").asText()).isEqualTo("keep");
        java.util.regex.Pattern kept = java.util.regex.Pattern.compile(keep.path("regex").asText());
        List<String> metrics = new ArrayList<>();
        DashboardLinter.queries("fleet.json", fleetDashboard()).forEach(q ->
                PromQl.analyse(q.expr()).selectors().forEach(sel -> metrics.add(sel.metric())));

        assertThat(metrics).isNotEmpty().allSatisfy(m -> assertThat(kept.matcher(m).matches()).as(m).isTrue());
    }

    @Test
    void everyQueryRunsOnAPrometheusScrapingThreeInstances() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), TestFleet.TOKEN);
        try (TestFleet fleet = TestFleet.start(dir, 3, RecoverySettings.DEFAULT, 60);
             LocalStack stack = LocalStack.builder(RepoRoot.path(), fleet.uri(0), token)
                     .alsoScrape(fleet.uris().subList(1, 3)).interval(Duration.ofSeconds(1)).start()) {
            Set<String> instances = new TreeSet<>();
            for (int i = 0; i < fleet.size(); i++) {
                instances.add(fleet.instance(i));
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> query(stack.prometheus(),
                    "pool:sqlite_pool_health:score").path("data").path("result").size() == 3);
            Thread.sleep(5_000);
            List<String> failures = new ArrayList<>();
            int queries = 0;
            for (JsonNode panel : DashboardLinter.panels(fleetDashboard())) {
                String title = panel.path("title").asText();
                boolean anyData = false;
                for (JsonNode target : panel.path("targets")) {
                    String expr = target.path("expr").asText("");
                    queries++;
                    JsonNode r = query(stack.prometheus(), DashboardQueriesAgainstPrometheusTest.substitute(expr));
                    if (!"success".equals(r.path("status").asText())) {
                        failures.add(title + ": " + r.path("error").asText() + " in " + expr);
                        continue;
                    }
                    JsonNode result = r.path("data").path("result");
                    anyData |= result.size() > 0;
                    Set<String> seen = new TreeSet<>();
                    result.forEach(s -> {
                        if (s.path("metric").has("instance")) {
                            seen.add(s.path("metric").path("instance").asText());
                        }
                    });
                    if (!seen.isEmpty() && !seen.equals(instances)) {
                        failures.add(title + " query " + target.path("refId").asText() + " shows instances " + seen
                                + ", not all of " + instances);
                    }
                }
                if (!anyData && !QUIET_WHEN_HEALTHY.contains(title)) {
                    failures.add(title + ": no data from a healthy fleet of three");
                }
            }
            assertThat(queries).isGreaterThanOrEqualTo(12);
            assertThat(failures).as("fleet dashboard queries; stack logs:%s", stack.lastLog()).isEmpty();
        }
    }

    private static JsonNode query(URI prometheus, String expr) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body());
    }
}
