package dev.poolwatch.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.poolwatch.recovery.RecoverySettings;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay on three in-process instances: an alert reaches the instance its {@code instance} label names, only a
 * known peer is ever contacted, and the webhook refuses what is not its own. Each test uses its own fingerprint, so
 * the owners' dedupe keeps them apart.
 */
@Timeout(60)
class FleetRelayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final RecoverySettings RECOVERY = new RecoverySettings(false, Duration.ZERO, Duration.ofMinutes(1),
            100, Duration.ofMinutes(1), Duration.ofMinutes(1), 8, 500);

    @TempDir
    static Path dir;

    static TestFleet fleet;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = TestFleet.start(dir, 3, RECOVERY, 0);
    }

    @AfterAll
    static void stopFleet() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static String delivery(String instance, String action, String fingerprint) {
        return """
                {"version": "4", "status": "firing", "receiver": "poolwatch-recovery", "alerts": [
                  {"status": "firing", "labels": {"alertname": "SqlitePoolWalTooLarge", "pool": "demo",
                   "instance": "%s", "job": "poolwatch", "recovery_action": "%s"},
                   "startsAt": "2026-12-01T10:00:00Z", "fingerprint": "%s"}]}""".formatted(instance, action, fingerprint);
    }

    private static long count(int instance, String fingerprint, String outcome) throws Exception {
        return fleet.events(instance, "recovery").stream()
                .filter(e -> fingerprint.equals(e.path("details").path("fingerprint").asText())
                        && outcome.equals(e.path("details").path("outcome").asText())).count();
    }

    @Test
    void alertRelayedByAnyInstanceRunsOnItsOwnerOnly() throws Exception {
        HttpResponse<String> r = fleet.post(0, "/alertmanager/relay", delivery(fleet.instance(1), "optimize", "f-owner"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        JsonNode outcome = JSON.readTree(r.body()).path("outcomes").get(0);
        assertThat(outcome.path("outcome").asText()).isEqualTo("relayed");
        assertThat(outcome.path("peer").asText()).isEqualTo(fleet.instance(1));
        assertThat(outcome.path("ownerOutcome").asText()).isEqualTo("executed");
        assertThat(count(1, "f-owner", "executed")).isEqualTo(1);
        assertThat(count(0, "f-owner", "executed") + count(2, "f-owner", "executed")).isZero();
        assertThat(count(0, "f-owner", "relayed")).isEqualTo(1);
    }

    @Test
    void duplicateFromAnotherRelayIsDeduplicatedByTheOwner() throws Exception {
        String body = delivery(fleet.instance(2), "optimize", "f-dup");

        fleet.post(0, "/alertmanager/relay", body);
        HttpResponse<String> second = fleet.post(1, "/alertmanager/relay", body);

        assertThat(JSON.readTree(second.body()).path("outcomes").get(0).path("ownerOutcome").asText())
                .isEqualTo("deduplicated");
        assertThat(count(2, "f-dup", "executed")).isEqualTo(1);
        assertThat(count(2, "f-dup", "deduplicated")).isEqualTo(1);
    }

    @Test
    void addressInALabelThatIsNoPeerIsNeverContacted() throws Exception {
        HttpServer canary = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger hits = new AtomicInteger();
        canary.createContext("/", exchange -> {
            hits.incrementAndGet();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        canary.start();
        try {
            String target = "127.0.0.1:" + canary.getAddress().getPort();
            HttpResponse<String> r = fleet.post(0, "/alertmanager/relay", delivery(target, "optimize", "f-ssrf"));

            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(JSON.readTree(r.body()).path("outcomes").get(0).path("outcome").asText())
                    .isEqualTo("unknown_instance");
            assertThat(hits).hasValue(0);
            assertThat(count(0, "f-ssrf", "unknown_instance")).isEqualTo(1);
        } finally {
            canary.stop(0);
        }
    }

    @Test
    void webhookRefusesAnotherInstancesAlertAndRunsNothing() throws Exception {
        HttpResponse<String> r = fleet.post(0, "/alertmanager/webhook", delivery(fleet.instance(1), "optimize",
                "f-misdirected"));

        assertThat(r.statusCode()).isEqualTo(421);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("application/problem+json"));
        assertThat(JSON.readTree(r.body()).path("detail").asText()).contains("/alertmanager/relay");
        assertThat(count(0, "f-misdirected", "executed")).isZero();
        assertThat(count(0, "f-misdirected", "misdirected")).isEqualTo(1);
    }

    @Test
    void webhookStillTakesTheInstancesOwnAlert() throws Exception {
        HttpResponse<String> r = fleet.post(1, "/alertmanager/webhook", delivery(fleet.instance(1), "optimize",
                "f-own"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(count(1, "f-own", "executed")).isEqualTo(1);
    }

    @Test
    void unreachableOwnerAnswers502SoAlertmanagerRetries() throws Exception {
        String dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = "127.0.0.1:" + s.getLocalPort();
        }
        try (TestFleet two = TestFleet.start(dir.resolve("dead-peer"), 1, RECOVERY, 0)) {
            FleetRoutes routes = new FleetRoutes(FleetSettings.builder(PeerDirectory.fixed(java.util.List.of(dead)))
                    .relayTimeout(Duration.ofMillis(500)).build());
            try (dev.poolwatch.server.PoolWatch relay = dev.poolwatch.server.PoolWatch.builder().pool(two.pool(0))
                    .port(0).token(TestFleet.TOKEN).eventStore(dir.resolve("dead-peer/relay-events.db"))
                    .extension(routes).start()) {
                HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                        .newBuilder(relay.uri().resolve("/alertmanager/relay"))
                        .header("Authorization", "Bearer " + TestFleet.TOKEN)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(delivery(dead, "optimize", "f-dead")))
                        .build(), HttpResponse.BodyHandlers.ofString());

                assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
                assertThat(JSON.readTree(r.body()).path("outcomes").get(0).path("outcome").asText())
                        .isEqualTo("failed");
            }
        }
    }

    @Test
    void bodyOfTheWrongShapeIsRefusedBeforeAnythingIsRelayed() throws Exception {
        String bad = """
                {"alerts": [{"labels": {"instance": "%s", "pool": "demo", "recovery_action": "optimize",
                  "alertname": "X"}, "fingerprint": "f-bad", "startsAt": "2026-12-01T10:00:00Z"},
                  {"labels": {"instance": 7}}]}""".formatted(fleet.instance(1));

        HttpResponse<String> r = fleet.post(0, "/alertmanager/relay", bad);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).path("detail").asText()).contains("alerts[1].labels.instance");
        assertThat(count(1, "f-bad", "executed")).isZero();
    }

    @Test
    void relayNeedsTheToken() throws Exception {
        HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(fleet.uri(0).resolve("/alertmanager/relay"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(delivery(fleet.instance(1), "optimize",
                        "f-token"))).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(count(1, "f-token", "executed")).isZero();
    }
}
