package dev.poolwatch.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The doctor's parts that need no stack: Grafana (against a fake, no Grafana here), routing, the built-in lint. */
class DoctorPartsTest {

    /** A stand-in for Grafana's /api/search; the real one cannot run on this machine. */
    private static HttpServer fakeGrafana(String searchJson, AtomicReference<String> auth) throws Exception {
        return fake("/api/search", searchJson, auth);
    }

    /** Answers {@code json} on {@code path}, remembering the request's Authorization header. */
    private static HttpServer fake(String path, String json, AtomicReference<String> auth) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(path, ex -> {
            auth.set(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        return server;
    }

    private static String search(String... uids) {
        return "[" + String.join(",", Arrays.stream(uids).map(u -> "{\"uid\":\"" + u + "\",\"type\":\"dash-db\"}")
                .toList()) + "]";
    }

    private static Check grafanaCheck(String url) {
        return new Doctor(new Doctor.Targets(java.net.URI.create("http://127.0.0.1:1"), null, null,
                java.net.URI.create(url), null)).run().stream().filter(c -> c.name().equals("grafana dashboards"))
                .findFirst().orElseThrow();
    }

    /**
     * The moment between Prometheus (re)loading a target and its first scrape: the real server says "unknown", which
     * the stack tests cannot pin because the first scrape comes within a second.
     */
    @Test
    void aTargetNotScrapedYetSaysSoInsteadOfBlamingTheNetwork() throws Exception {
        java.net.URI exporter = java.net.URI.create("http://127.0.0.1:9464");
        HttpServer prometheus = fake("/api/v1/targets", "{\"status\":\"success\",\"data\":{\"activeTargets\":[{"
                + "\"scrapeUrl\":\"http://127.0.0.1:9464/metrics\",\"health\":\"unknown\",\"lastError\":\"\","
                + "\"scrapeInterval\":\"15s\",\"labels\":{\"instance\":\"127.0.0.1:9464\",\"job\":\"poolwatch\"}}]}}",
                new AtomicReference<>());
        try {
            Check c = new Doctor(new Doctor.Targets(exporter, java.net.URI.create("http://127.0.0.1:"
                    + prometheus.getAddress().getPort()), null, null, null)).run().stream()
                    .filter(k -> k.name().equals("prometheus scrapes the exporter")).findFirst().orElseThrow();
            assertThat(c.status()).as(c.toString()).isEqualTo(Check.Status.FAIL);
            assertThat(c.detail()).contains("has not been scraped yet");
            assertThat(c.fix()).isEqualTo("wait one scrape interval (15s) and run doctor again");
        } finally {
            prometheus.stop(0);
        }
    }

    @Test
    void grafanaWithEveryDashboardPassesAndGetsTheUrlsCredentials() throws Exception {
        AtomicReference<String> auth = new AtomicReference<>();
        HttpServer g = fakeGrafana(search("poolwatch-fleet", "poolwatch-jvm", "poolwatch-overview", "poolwatch-pool-detail",
                "poolwatch-recovery", "someone-elses"), auth);
        try {
            Check c = grafanaCheck("http://admin:pw@127.0.0.1:" + g.getAddress().getPort());
            assertThat(c.status()).as(c.toString()).isEqualTo(Check.Status.PASS);
            assertThat(auth.get()).isEqualTo("Basic " + java.util.Base64.getEncoder().encodeToString(
                    "admin:pw".getBytes(StandardCharsets.UTF_8)));
        } finally {
            g.stop(0);
        }
    }

    @Test
    void grafanaMissingADashboardFailsNamingIt() throws Exception {
        HttpServer g = fakeGrafana(search("poolwatch-jvm", "poolwatch-overview"), new AtomicReference<>());
        try {
            Check c = grafanaCheck("http://127.0.0.1:" + g.getAddress().getPort());
            assertThat(c.status()).isEqualTo(Check.Status.FAIL);
            assertThat(c.detail()).contains("poolwatch-pool-detail").contains("poolwatch-recovery");
            assertThat(c.fix()).contains("grafana/provisioning");
        } finally {
            g.stop(0);
        }
    }

    @Test
    void dashboardUidsTheDoctorExpectsAreTheShippedOnes() throws Exception {
        List<String> shipped = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of("grafana/dashboards"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                shipped.add(new ObjectMapper().readTree(f.toFile()).get("uid").asText());
            }
        }
        assertThat(Doctor.DASHBOARD_UIDS).containsExactlyInAnyOrderElementsOf(shipped);
    }

    /** The route walk answers as amtool does, for the shipped config and alerts of every kind. */
    @Test
    void routeWalkAgreesWithAmtoolOnTheShippedConfig() throws Exception {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(new File("alertmanager/alertmanager.yml"));
        List<Map<String, String>> alerts = List.of(
                Map.of("alertname", "SqlitePoolWalTooLarge", "recovery_action", "checkpoint", "severity", "warning"),
                Map.of("alertname", "SqlitePoolReadOnly", "recovery_action", "restart_pool", "severity", "critical"),
                Map.of("alertname", "SqlitePoolCorruption", "severity", "critical"),
                Map.of("alertname", "SqlitePoolLockContention", "severity", "warning"),
                Map.of("alertname", "SqlitePoolFragmented", "recovery_action", "incremental_vacuum", "severity",
                        "info"));
        for (Map<String, String> labels : alerts) {
            List<String> cmd = new ArrayList<>(List.of("amtool", "config", "routes", "test",
                    "--config.file=alertmanager/alertmanager.yml"));
            labels.forEach((k, v) -> cmd.add(k + "=" + v));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(String.join(",", AlertRoutes.receivers(config.path("route"), labels))).as("%s", labels)
                    .isEqualTo(out);
        }
    }

    @Test
    void builtInLintFlagsWhatPromtoolFlags() {
        assertThat(MetricsLint.builtIn("# HELP x_seconds x\n# TYPE x_seconds histogram\nx_seconds_count 1\n"))
                .isEmpty();
        assertThat(MetricsLint.builtIn("# HELP bad_counter x\n# TYPE bad_counter counter\nbad_counter 1\n"))
                .containsExactly("bad_counter: counter metrics should have \"_total\" suffix");
        assertThat(MetricsLint.builtIn("# TYPE a_total counter\n# TYPE a_total counter\n"))
                .containsExactly("a_total: TYPE declared twice");
    }
}
