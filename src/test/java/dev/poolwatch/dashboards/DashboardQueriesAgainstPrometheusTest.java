package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
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
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grafana is not installed here, so each panel's queries run against a real Prometheus that scrapes the demo under
 * load with the shipped rules: every query must evaluate, and every panel that the demo feeds must return data.
 */
@Timeout(180)
class DashboardQueriesAgainstPrometheusTest {

    private static final String TOKEN = "dashboard-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * Panels that may be empty under a healthy demo load: they show alerts, failures or rare events, which a healthy
     * run does not have. Everything else must return data.
     */
    private static final Set<String> QUIET_WHEN_HEALTHY = Set.of(
            "Alerts firing now", "Firing alerts by pool", "Firing alerts by severity", "Alert history",
            // The demo writes with write(), never writeBatched(); BatchMetricsTest checks these meters' values.
            "Group commit (submit / writeBatched)");

    @TempDir
    Path dir;

    @Test
    void everyPanelQueryEvaluatesAndDemoFedPanelsHaveData() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("demo.db")).name("demo").build());
             // Never checkpoints: exactly when SqlitePoolCheckpointStarved fires and links to its panel.
             SqlitePool fresh = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("fresh.db")).name("fresh")
                     .checkpointInterval(Duration.ZERO).build())) {
            BotWorkload workload = new BotWorkload(pool, 100);
            workload.prepare();
            RecoverySettings settings = RecoverySettings.DEFAULT;
            try (dev.poolwatch.server.PoolWatch watch = dev.poolwatch.server.PoolWatch.builder().pool(pool).pool(fresh).port(0)
                    .token(TOKEN).extension(new RecoveryRoutes(settings)).start();
                 SteadyLoad load = new SteadyLoad(workload, 4, 300, 70, 0).start();
                 LocalStack stack = LocalStack.builder(RepoRoot.path(), watch.uri(), token)
                         .interval(Duration.ofSeconds(1)).start()) {
                // After the first scrape, so the recovery counters' increase() sees the action.
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        query(stack.prometheus(), "up{job=\"poolwatch\"} == 1").path("data").path("result").size() > 0);
                HttpResponse<String> action = HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri()
                                + "/api/pools/demo/actions/optimize")).header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(action.statusCode()).isEqualTo(202);
                pool.checkpoint(dev.poolwatch.pool.CheckpointMode.TRUNCATE);
                // Micrometer creates the GC pause meters at the first collection; a short run may see none.
                System.gc();
                Thread.sleep(8_000);
                List<String> failures = new ArrayList<>();
                int queries = 0;
                for (Map.Entry<String, JsonNode> d : Dashboards.parsed().entrySet()) {
                    for (JsonNode panel : DashboardLinter.panels(d.getValue())) {
                        String title = panel.path("title").asText();
                        boolean anyData = false;
                        boolean anyQuery = false;
                        for (JsonNode target : panel.path("targets")) {
                            String expr = target.path("expr").asText("");
                            if (expr.isBlank()) {
                                continue;
                            }
                            anyQuery = true;
                            queries++;
                            JsonNode r = query(stack.prometheus(), substitute(expr));
                            if (!"success".equals(r.path("status").asText())) {
                                failures.add(d.getKey() + " / " + title + ": " + r.path("error").asText() + " in " + expr);
                            } else if (r.path("data").path("result").size() > 0) {
                                anyData = true;
                            }
                        }
                        if (anyQuery && !anyData && !QUIET_WHEN_HEALTHY.contains(title)) {
                            failures.add(d.getKey() + " / " + title + ": no data under the demo load");
                        }
                    }
                }
                assertThat(queries).isGreaterThan(40);
                assertThat(failures).as("panel queries against Prometheus; stack logs:%s", stack.lastLog()).isEmpty();
                assertThat(poolsShown(stack.prometheus(), "pool-detail.json", "Time since last complete checkpoint"))
                        .contains("demo", "fresh");
            }
        }
    }

    /** The pools a panel's queries return series for. */
    private static Set<String> poolsShown(URI prometheus, String file, String title) throws Exception {
        JsonNode panel = DashboardLinter.panels(Dashboards.parsed().get(file)).stream()
                .filter(p -> p.path("title").asText().equals(title)).findFirst().orElseThrow();
        Set<String> pools = new java.util.TreeSet<>();
        for (JsonNode target : panel.path("targets")) {
            query(prometheus, substitute(target.path("expr").asText())).at("/data/result")
                    .forEach(series -> pools.add(series.at("/metric/pool").asText()));
        }
        return pools;
    }

    /** Grafana's variables as Grafana would expand them with "All" selected and a 5 m dashboard range. */
    static String substitute(String expr) {
        return expr.replace("$__rate_interval", "10s").replace("$__range", "5m").replace("${__range}", "5m")
                .replace("$job", ".+").replace("${job}", ".+").replace("$instance", ".+").replace("${instance}", ".+").replace("$pool", ".*")
                .replace("${pool}", ".*").replace("$role", ".*").replace("${role}", ".*");
    }

    private static JsonNode query(URI prometheus, String expr) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(prometheus + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
