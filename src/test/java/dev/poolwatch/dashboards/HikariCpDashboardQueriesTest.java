package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.metrics.MeterRegistries;
import dev.poolwatch.metrics.MetricsOptions;
import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A HikariCP dashboard works unchanged on a poolwatch pool with {@code hikariCpNames}: the queries of the HikariCP
 * panels of the widely used Spring Boot dashboards on grafana.com (6756 "Spring Boot 2.1 Statistics", and 10280 and
 * 19004 derived from it; the same panels as 6083 "HikariCP / JDBC"), copied with their variables, run against a real
 * Prometheus scraping poolwatch. Spring Boot adds the {@code application} tag those dashboards select on; here it is
 * the registry's common tag, as Spring Boot sets it.
 */
@Timeout(120)
class HikariCpDashboardQueriesTest {

    private static final String SELECT = "{instance=\"$instance\", application=\"$application\", pool=\"$hikaricp\"}";

    /** Panel title to query, verbatim from the dashboards' JSON (they divide _sum by _count without rate()). */
    private static final Map<String, String> PANELS = new LinkedHashMap<>();

    static {
        PANELS.put("Connections Size", "hikaricp_connections" + SELECT);
        PANELS.put("Connections: Active", "hikaricp_connections_active" + SELECT);
        PANELS.put("Connections: Idle", "hikaricp_connections_idle" + SELECT);
        PANELS.put("Connections: Pending", "hikaricp_connections_pending" + SELECT);
        PANELS.put("Connection Timeout Count", "hikaricp_connections_timeout_total" + SELECT);
        PANELS.put("Connection Creation Time", "hikaricp_connections_creation_seconds_sum" + SELECT
                + " / hikaricp_connections_creation_seconds_count" + SELECT);
        PANELS.put("Connection Usage Time", "hikaricp_connections_usage_seconds_sum" + SELECT
                + " / hikaricp_connections_usage_seconds_count" + SELECT);
        PANELS.put("Connection Acquire Time", "hikaricp_connections_acquire_seconds_sum" + SELECT
                + " / hikaricp_connections_acquire_seconds_count" + SELECT);
        // Not on those panels, but published by HikariCP's tracker and used by HikariCP alerts.
        PANELS.put("(max)", "hikaricp_connections_max" + SELECT);
        PANELS.put("(min)", "hikaricp_connections_min" + SELECT);
    }

    private static final String POOL_VARIABLE = "hikaricp_connections{instance=\"$instance\", "
            + "application=\"$application\"}";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void hikariCpDashboardPanelsShowAPoolwatchPool() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "hikari-test-token");
        PrometheusMeterRegistry registry = MeterRegistries.prometheusWithJvm();
        registry.config().commonTags("application", "orders-service");
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("orders.db")).name("orders")
                .maxReaders(2).minReaders(1).acquireTimeout(Duration.ofMillis(200)).build());
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).registry(registry)
                     .metrics(MetricsOptions.builder().hikariCpNames(true).build()).start();
             LocalStack stack = LocalStack.builder(RepoRoot.path(), watch.uri(), token)
                     .interval(Duration.ofSeconds(1)).start()) {
            pool.write(c -> c.createStatement().execute("CREATE TABLE t (x)"));
            // The pool opened its first connections before the metrics were bound: make it open one more.
            pool.evictIdle();
            pool.read(c -> c.createStatement().executeQuery("SELECT count(*) FROM t").next());
            // One timed-out caller: the writer is held while another write waits 200 ms.
            pool.write(c -> {
                Thread waiter = new Thread(() -> assertThatThrownBy(() -> pool.write(inner -> null))
                        .isInstanceOf(PoolTimeoutException.class));
                waiter.start();
                try {
                    waiter.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> result(stack.prometheus(),
                    "hikaricp_connections_timeout_total == 1").size() > 0);
            String instance = result(stack.prometheus(), "up{job=\"poolwatch\"}").get(0).at("/metric/instance")
                    .asText();
            Map<String, String> vars = Map.of("$instance", instance, "$application", "orders-service",
                    "$hikaricp", "orders");

            assertThat(poolValues(stack.prometheus(), substitute(POOL_VARIABLE, vars))).containsExactly("orders");
            Map<String, Double> shown = new LinkedHashMap<>();
            for (Map.Entry<String, String> panel : PANELS.entrySet()) {
                JsonNode series = result(stack.prometheus(), substitute(panel.getValue(), vars));
                assertThat(series).as(panel.getKey() + ": " + panel.getValue()).hasSize(1);
                shown.put(panel.getKey(), series.get(0).at("/value/1").asDouble());
            }

            assertThat(shown.get("(max)")).isEqualTo(3);
            assertThat(shown.get("(min)")).isEqualTo(2);
            assertThat(shown.get("Connections Size"))
                    .isEqualTo(shown.get("Connections: Active") + shown.get("Connections: Idle")).isPositive();
            assertThat(shown.get("Connections: Pending")).isZero();
            assertThat(shown.get("Connection Timeout Count")).isEqualTo(1);
            assertThat(shown.get("Connection Creation Time")).isPositive().isLessThan(5);
            assertThat(shown.get("Connection Usage Time")).isPositive().isLessThan(10);
            assertThat(shown.get("Connection Acquire Time")).isGreaterThanOrEqualTo(0).isLessThan(0.2);
        }
    }

    private static String substitute(String expr, Map<String, String> vars) {
        String out = expr;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            out = out.replace(v.getKey(), v.getValue());
        }
        return out;
    }

    private static JsonNode result(URI prometheus, String expr) throws Exception {
        JsonNode r = get(prometheus + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        assertThat(r.path("status").asText()).as(expr + ": " + r).isEqualTo("success");
        return r.at("/data/result");
    }

    /** What Grafana's label_values(series, pool) lists. */
    private static java.util.List<String> poolValues(URI prometheus, String series) throws Exception {
        JsonNode r = get(prometheus + "/api/v1/label/pool/values?match[]="
                + URLEncoder.encode(series, StandardCharsets.UTF_8));
        java.util.List<String> out = new java.util.ArrayList<>();
        r.path("data").forEach(v -> out.add(v.asText()));
        return out;
    }

    private static JsonNode get(String uri) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(uri)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
