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
 * <p>The config runs as shipped but for three rewrites in a temp copy: the webhooks point at a local HTTP server
 * instead of the compose service poolwatch:9464 and the placeholder oncall-relay.invalid, and credentials_file at a
 * temp token instead of the secret only the stack mounts. Each test uses its own instance label, so alerts of one test cannot inhibit or join those of another.
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
                Delivery d = new Delivery(exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"), JSON.readTree(body));
                deliveries.add(d);
                // The pool "rotated" plays a webhook whose token was rotated without Alertmanager's copy.
                boolean rejected = "rotated".equals(d.body().path("groupLabels").path("pool").asText());
                exchange.sendResponseHeaders(rejected ? 401 : 200, -1);
            }
        });
        webhooks.start();

        Path token = Files.writeString(dir.resolve("poolwatch-token"), TOKEN);
        String config = Files.readString(RuleFiles.root().resolve("alertmanager/alertmanager.yml"));
        config = replaceAll(config, "http://poolwatch:9464", "http://127.0.0.1:" + webhooks.getAddress().getPort());
        config = replaceAll(config, "/etc/alertmanager/secrets/poolwatch-token", token.toString());
        config = replaceAll(config, "http://oncall-relay.invalid", "http://127.0.0.1:" + webhooks.getAddress().getPort()
                + "/relay");
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

    /**
     * In a shared Alertmanager another team's critical alert has neither instance nor pool; labels missing on both
     * sides count as equal in an inhibit rule, so an unscoped rule would mute every poolwatch warning without them.
     */
    @Test
    void anotherTeamsCriticalAlertMutesNoPoolwatchWarning() throws Exception {
        String instance = "other-team:9464";
        ObjectNode foreign = JSON.createObjectNode();
        foreign.putObject("labels").put("alertname", "DatacenterPowerLoss").put("severity", "critical");
        post(foreign, alert("SqlitePoolExhausted", Map.of("severity", "warning", "recovery_action", "resize_up",
                        "pool", "orders"), instance),
                withoutInstanceAndPool(alert("SqlitePoolRecoveryCircuitOpen", Map.of("severity", "warning"), instance)));

        await().atMost(Duration.ofSeconds(10)).until(() -> status("DatacenterPowerLoss", null, null) != null
                && status("SqlitePoolRecoveryCircuitOpen", null, null) != null
                && status("SqlitePoolExhausted", instance, "orders") != null);
        assertThat(inhibitedBy("SqlitePoolExhausted", instance, "orders")).as("a poolwatch warning").isEmpty();
        assertThat(inhibitedBy("SqlitePoolRecoveryCircuitOpen", null, null)).as("a poolwatch warning without labels")
                .isEmpty();
    }

    @Test
    void aPoolwatchCriticalAlertMutesTheWarningOfItsOwnPoolOnly() throws Exception {
        String instance = "inhibit-scoped:9464";
        post(alert("SqlitePoolDiskFull", Map.of("severity", "critical", "pool", "orders"), instance),
                alert("SqlitePoolWalTooLarge", Map.of("severity", "warning", "recovery_action", "checkpoint",
                        "pool", "orders"), instance),
                alert("SqlitePoolWalTooLarge", Map.of("severity", "warning", "recovery_action", "checkpoint",
                        "pool", "orders"), "elsewhere:9464"));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> inhibitedBy("SqlitePoolWalTooLarge", instance, "orders"), l -> !l.isEmpty());
        assertThat(inhibitedBy("SqlitePoolWalTooLarge", instance, "orders")).as("muted by the DiskFull alert")
                .containsExactly(status("SqlitePoolDiskFull", instance, "orders").path("fingerprint").asText());
        assertThat(inhibitedBy("SqlitePoolWalTooLarge", "elsewhere:9464", "orders")).as("the same pool elsewhere")
                .isEmpty();
    }

    /** A person must see that self-healing failed whatever else fires on the pool. */
    @Test
    void readOnlyDoesNotMuteTheFailureOfRecovery() throws Exception {
        String instance = "inhibit-recovery:9464";
        post(alert("SqlitePoolReadOnly", Map.of("severity", "critical", "recovery_action", "restart_pool",
                        "pool", "orders"), instance),
                alert("SqlitePoolRecoveryFailing", Map.of("severity", "warning", "pool", "orders",
                        "action", "restart_pool"), instance),
                alert("SqlitePoolRemediationStorm", Map.of("severity", "warning", "pool", "orders"), instance),
                alert("SqlitePoolLockContention", Map.of("severity", "warning", "pool", "orders"), instance));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> inhibitedBy("SqlitePoolLockContention", instance, "orders"), l -> !l.isEmpty());
        assertThat(inhibitedBy("SqlitePoolRecoveryFailing", instance, "orders")).isEmpty();
        assertThat(inhibitedBy("SqlitePoolRemediationStorm", instance, "orders")).isEmpty();
    }

    /**
     * A webhook that refuses the token (rotated on one side only) shows in alertmanager_notifications_failed_total,
     * the counter SqlitePoolAlertNotificationsFailing reads.
     */
    @Test
    void aRejectedWebhookDeliveryCountsAsAFailedNotification() throws Exception {
        double before = failedWebhookNotifications();
        post(alert("SqlitePoolWalTooLarge", Map.of("severity", "warning", "recovery_action", "checkpoint",
                "pool", "rotated"), "rotated:9464"));

        await().atMost(Duration.ofSeconds(20)).until(AlertmanagerDeliveryTest::failedWebhookNotifications,
                after -> after > before);
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
        JsonNode a = status(name, instance, pool);
        return a == null ? null : a.path("status").path("state").asText();
    }

    /** The fingerprints of the alerts that mute this one, empty when it is not muted. */
    private static List<String> inhibitedBy(String name, String instance, String pool)
            throws IOException, InterruptedException {
        List<String> out = new java.util.ArrayList<>();
        status(name, instance, pool).path("status").path("inhibitedBy").forEach(f -> out.add(f.asText()));
        return out;
    }

    /**
     * The alert as GET /api/v2/alerts shows it, or null. A null instance or pool matches an alert without that label;
     * {@code pool} null also matches any pool when an instance is given, as the older tests expect.
     */
    private static JsonNode status(String name, String instance, String pool) throws IOException, InterruptedException {
        for (JsonNode a : JSON.readTree(get("/api/v2/alerts").body())) {
            JsonNode l = a.path("labels");
            boolean instanceMatches = instance == null ? !l.has("instance") : instance.equals(l.path("instance").asText());
            boolean poolMatches = pool == null ? instance != null || !l.has("pool") : pool.equals(l.path("pool").asText());
            if (name.equals(l.path("alertname").asText()) && instanceMatches && poolMatches) {
                return a;
            }
        }
        return null;
    }

    private static ObjectNode withoutInstanceAndPool(ObjectNode alert) {
        ((ObjectNode) alert.path("labels")).remove(List.of("instance", "pool", "job"));
        return alert;
    }

    private static double failedWebhookNotifications() throws IOException, InterruptedException {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("alertmanager_notifications_failed_total{integration=\"webhook\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("Alertmanager's /metrics has no alertmanager_notifications_failed_total for webhooks");
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
