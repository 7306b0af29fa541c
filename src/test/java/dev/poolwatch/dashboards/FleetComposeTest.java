package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml's fleet profile: docker-compose accepts it, it adds two poolwatch instances that name each other
 * as Prometheus scrapes them and two clustered Alertmanagers, and its configuration differs from the single stack's
 * only where a fleet must.
 */
class FleetComposeTest {

    private static final List<String> INSTANCES = List.of("poolwatch-a", "poolwatch-b");
    private final JsonNode services = Compose.file().path("services");

    @Test
    void dockerComposeAcceptsTheFleetProfile(@TempDir Path workDir) throws Exception {
        Path err = workDir.resolve("stderr");
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "--profile", "fleet", "config",
                "-q").directory(RepoRoot.path().toFile()).redirectErrorStream(true).redirectOutput(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
    }

    @Test
    void fleetServicesStartOnlyWithTheProfile() {
        List<String> fleet = new ArrayList<>();
        services.fields().forEachRemaining(e -> {
            if (e.getValue().path("profiles").toString().contains("\"fleet\"")) {
                fleet.add(e.getKey());
            }
        });
        assertThat(fleet).containsExactlyInAnyOrder("poolwatch-a", "poolwatch-b", "prometheus-fleet",
                "alertmanager-a", "alertmanager-b");
        assertThat(services.path("poolwatch").has("profiles")).isFalse();
    }

    @Test
    void eachInstanceNamesBothPeersAndItselfAsPrometheusScrapesThem() {
        JsonNode prometheus = Compose.yaml("deploy/compose/fleet/prometheus.yml");
        List<String> targets = new ArrayList<>();
        prometheus.path("scrape_configs").get(0).path("static_configs").get(0).path("targets")
                .forEach(t -> targets.add(t.asText()));
        assertThat(targets).containsExactlyInAnyOrder("poolwatch-a:9464", "poolwatch-b:9464");
        for (String name : INSTANCES) {
            List<String> command = new ArrayList<>();
            services.path(name).path("command").forEach(c -> command.add(c.asText()));
            assertThat(command).as(name).contains("--fleet-peers=" + String.join(",", targets),
                    "--fleet-self=" + name + ":9464");
            assertThat(Compose.mountAt(services.path(name), "/data")).as(name).hasValueSatisfying(m ->
                    assertThat(m.source()).isEqualTo(name + "-data"));
        }
    }

    @Test
    void alertmanagersAreOneClusterAndPrometheusAlertsBoth() {
        for (String[] pair : new String[][] {{"alertmanager-a", "alertmanager-b"}, {"alertmanager-b", "alertmanager-a"}}) {
            List<String> command = new ArrayList<>();
            services.path(pair[0]).path("command").forEach(c -> command.add(c.asText()));
            assertThat(command).contains("--cluster.listen-address=0.0.0.0:9094", "--cluster.peer=" + pair[1] + ":9094");
        }
        JsonNode alerting = Compose.yaml("deploy/compose/fleet/prometheus.yml").path("alerting");
        assertThat(alerting.toString()).contains("alertmanager-a:9093", "alertmanager-b:9093");
    }

    @Test
    void fleetConfigurationEqualsTheSingleStacksButForAddresses() {
        ObjectNode single = (ObjectNode) Compose.yaml("prometheus/prometheus.yml").deepCopy();
        ObjectNode fleet = (ObjectNode) Compose.yaml("deploy/compose/fleet/prometheus.yml").deepCopy();
        for (ObjectNode config : List.of(single, fleet)) {
            config.remove("alerting");
            // Addresses: the exporters, Prometheus itself and the Alertmanagers are other services in the fleet.
            for (com.fasterxml.jackson.databind.JsonNode job : config.path("scrape_configs")) {
                ((ObjectNode) job).remove("static_configs");
            }
        }
        assertThat(fleet).isEqualTo(single);

        ObjectNode singleAm = (ObjectNode) Compose.yaml("alertmanager/alertmanager.yml").deepCopy();
        ObjectNode fleetAm = (ObjectNode) Compose.yaml("deploy/compose/fleet/alertmanager.yml").deepCopy();
        JsonNode recovery = receiver(fleetAm, "poolwatch-recovery");
        assertThat(recovery.path("webhook_configs")).extracting(h -> h.path("url").asText()).containsExactly(
                "http://poolwatch-a:9464/alertmanager/relay", "http://poolwatch-b:9464/alertmanager/relay");
        for (ObjectNode config : List.of(singleAm, fleetAm)) {
            for (JsonNode r : config.path("receivers")) {
                for (JsonNode hook : r.path("webhook_configs")) {
                    ((ObjectNode) hook).remove("url");
                }
            }
            // The fleet sends to every relay; the hooks are alike but for the address.
            ObjectNode recoveryReceiver = (ObjectNode) receiver(config, "poolwatch-recovery");
            JsonNode first = recoveryReceiver.path("webhook_configs").get(0);
            recoveryReceiver.putArray("webhook_configs").add(first);
        }
        assertThat(fleetAm).isEqualTo(singleAm);
    }

    private static JsonNode receiver(JsonNode config, String name) {
        for (JsonNode r : config.path("receivers")) {
            if (r.path("name").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no receiver " + name);
    }
}
