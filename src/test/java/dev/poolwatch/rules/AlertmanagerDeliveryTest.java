package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * alertmanager.yml run by a real Alertmanager, for what amtool cannot check offline: inhibition, and delivery to the
 * recovery webhook with the bearer token of the credentials file.
 *
 * <p>The config runs as shipped but for two rewrites in a temp copy: the webhooks point at a local HTTP server instead
 * of the compose service poolwatch:9464, and credentials_file at a temp token instead of the secret only the stack
 * mounts. Each test uses its own instance label, so alerts of one test cannot inhibit or join those of another.
 */
class AlertmanagerDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String TOKEN = "token-" + UUID.randomUUID();

    @TempDir
    static Path dir;

    private static final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private static HttpServer webhooks;
    private static Process alertmanager;
    private static URI api;

    /** One notification Alertmanager sent to a webhook. */
    private record Delivery(String path, String authorization, JsonNode body) {
    }

    @BeforeAll
    static void startAlertmanager() throws IOException {
        Tool binary = Tool.require("prometheus-alertmanager", "prometheus-alertmanager");
        webhooks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        webhooks.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                deliveries.add(new Delivery(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(body)));
                exchange.sendResponseHeaders(200, -1);
            }
        });
        webhooks.start();

        Path token = Files.writeString(dir.resolve("poolwatch-token"), TOKEN);
        String config = Files.readString(RuleFiles.root().resolve("alertmanager/alertmanager.yml"));
        config = replaceAll(config, "http://poolwatch:9464", "http://127.0.0.1:" + webhooks.getAddress().getPort());
        config = replaceAll(config, "/etc/alertmanager/secrets/poolwatch-token", token.toString());
        Path configFile = Files.writeString(dir.resolve("alertmanager.yml"), config);

        int port = freePort();
        api = URI.create("http://127.0.0.1:" + port);
        Path log = dir.resolve("alertmanager.log");
        alertmanager = binary.start(log, List.of("--config.file=" + configFile,
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address="));
        await("Alertmanager ready on " + api).atMost(Duration.ofSeconds(15)).ignoreExceptions()
                .failFast("Alertmanager exited", () -> assertThat(alertmanager.isAlive())
                        .as(() -> "Alertmanager is running; its log:\n" + readLog(log)).isTrue())
                .until(() -> get("/-/ready").statusCode() == 200);
    }

    @AfterAll
    static void stopAlertmanager() throws InterruptedException {
        if (alertmanager != null) {
            alertmanager.destroy();
            if (!alertmanager.waitFor(10, TimeUnit.SECONDS)) {
                alertmanager.destroyForcibly().waitFor();
            }
        }
        if (webhooks != null) {
            webhooks.stop(0);
        }
    }

    @Test
    void aCriticalAlertOfAPoolMutesThatPoolsWarningsAndTheirActions() throws Exception {
        String instance = "inhibit-critical:9464";
        post(alert("SqlitePoolCorruption", Map.of("severity", "critical", "pool", "orders"), instance),
                alert("SqlitePoolExhausted", Map.of("severity", "warning", "recovery_action", "resize_up",
                        "pool", "orders"), instance),
                alert("SqlitePoolExhausted", Map.of("severity", "warning", "recovery_action", "resize_up",
                        "pool", "audit"), instance));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> state("SqlitePoolExhausted", instance, "orders"), "suppressed"::equals);
        assertThat(state("SqlitePoolExhausted", instance, "audit")).as("another pool's warning").isEqualTo("active");
        assertThat(state("SqlitePoolCorruption", instance, "orders")).as("the critical alert").isEqualTo("active");
    }

    @Test
    void exporterDownMutesEveryOtherAlertOfItsInstance() throws Exception {
        String down = "inhibit-down:9464";
        String up = "inhibit-up:9464";
        post(alert("SqlitePoolExporterDown", Map.of("severity", "critical"), down),
                alert("SqlitePoolDiskFull", Map.of("severity", "critical", "pool", "orders"), down),
                alert("SqlitePoolLockContention", Map.of("severity", "warning", "pool", "orders"), down),
                alert("SqlitePoolLockContention", Map.of("severity", "warning", "pool", "orders"), up));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> state("SqlitePoolLockContention", down, "orders"), "suppressed"::equals);
        assertThat(state("SqlitePoolDiskFull", down, "orders")).as("even a critical alert of the instance")
                .isEqualTo("suppressed");
        assertThat(state("SqlitePoolExporterDown", down, null)).as("the exporter alert").isEqualTo("active");
        assertThat(state("SqlitePoolLockContention", up, "orders")).as("another instance").isEqualTo("active");
    }

    /** The root route waits 30 s before its first notification; remediation must not. */
    @Test
    void theRecoveryWebhookGetsTheActionWithinSecondsWithTheBearerTokenOfTheCredentialsFile() throws Exception {
        String instance = "deliver:9464";
        post(alert("SqlitePoolWalTooLarge", Map.of("severity", "warning", "recovery_action", "checkpoint",
                "pool", "billing"), instance));

        Delivery d = await().atMost(Duration.ofSeconds(15)).until(() -> deliveryFor(instance), Optional::isPresent)
                .orElseThrow();

        assertThat(d.path()).isEqualTo("/alertmanager/webhook");
        assertThat(d.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(d.body().path("receiver").asText()).isEqualTo("poolwatch-recovery");
        assertThat(d.body().path("groupLabels").fieldNames()).toIterable()
                .containsExactlyInAnyOrder("alertname", "pool", "instance");
        JsonNode labels = d.body().path("alerts").path(0).path("labels");
        assertThat(labels.path("recovery_action").asText()).isEqualTo("checkpoint");
        assertThat(labels.path("pool").asText()).isEqualTo("billing");
    }

    private static ObjectNode alert(String name, Map<String, String> labels, String instance) {
        ObjectNode alert = JSON.createObjectNode();
        ObjectNode l = alert.putObject("labels");
        l.put("alertname", name);
        l.put("job", "poolwatch");
        l.put("instance", instance);
        labels.forEach(l::put);
        return alert;
    }

    private static void post(ObjectNode... alerts) throws IOException, InterruptedException {
        ArrayNode body = JSON.createArrayNode().addAll(List.of(alerts));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(api.resolve("/api/v2/alerts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST /api/v2/alerts: %s", r.body()).isEqualTo(200);
    }

    /** The state (active, suppressed, unprocessed) Alertmanager gives the alert, or null if it has none such. */
    private static String state(String name, String instance, String pool) throws IOException, InterruptedException {
        for (JsonNode a : JSON.readTree(get("/api/v2/alerts").body())) {
            JsonNode l = a.path("labels");
            if (name.equals(l.path("alertname").asText()) && instance.equals(l.path("instance").asText())
                    && (pool == null || pool.equals(l.path("pool").asText()))) {
                return a.path("status").path("state").asText();
            }
        }
        return null;
    }

    private static Optional<Delivery> deliveryFor(String instance) {
        return deliveries.stream()
                .filter(d -> instance.equals(d.body().path("groupLabels").path("instance").asText())).findFirst();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(api.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Replaces every occurrence, failing if there is none: a renamed setting must not go untested. */
    private static String replaceAll(String text, String target, String replacement) {
        assertThat(text).as("alertmanager.yml").contains(target);
        return text.replace(target, replacement);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
