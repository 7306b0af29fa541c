package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

/** Grafana's provisioning finds the dashboards where compose mounts them and the Prometheus compose runs. */
class ProvisioningTest {

    private static final String DATASOURCE_UID = "poolwatch-prometheus";

    private final JsonNode datasource = Compose.yaml("grafana/provisioning/datasources/prometheus.yml")
            .path("datasources").path(0);
    private final JsonNode provider = Compose.yaml("grafana/provisioning/dashboards/poolwatch.yml")
            .path("providers").path(0);
    private final JsonNode grafana = Compose.service("grafana");

    @Test
    void datasourceHasThePinnedUidTheDashboardsDefaultTo() {
        assertThat(datasource.path("uid").asText()).isEqualTo(DATASOURCE_UID);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        Dashboards.parsed().forEach((name, dashboard) -> {
            JsonNode variable = dashboard.at("/templating/list/0");
            assertThat(variable.path("name").asText()).as(name).isEqualTo("datasource");
            assertThat(variable.at("/current/value").asText()).as(name).isEqualTo(DATASOURCE_UID);
        });
    }

    @Test
    void datasourcePointsAtTheComposePrometheusAndItsVersion() {
        URI url = URI.create(datasource.path("url").asText());
        JsonNode prometheus = Compose.service(url.getHost());
        String image = prometheus.path("image").asText();

        assertThat(image).as("compose service " + url.getHost()).startsWith("prom/prometheus:");
        assertThat(url.getPort()).isEqualTo(9090);
        assertThat("v" + datasource.at("/jsonData/prometheusVersion").asText())
                .isEqualTo(image.substring(image.indexOf(':') + 1));
    }

    @Test
    void dashboardProviderIsAReadOnlyFileProviderIntoThePoolwatchFolder() {
        assertThat(provider.path("type").asText()).isEqualTo("file");
        assertThat(provider.path("folder").asText()).isEqualTo("poolwatch");
        assertThat(provider.path("allowUiUpdates").isBoolean()).isTrue();
        assertThat(provider.path("allowUiUpdates").asBoolean()).isFalse();
    }

    @Test
    void dashboardProviderReadsTheDirectoryComposeMountsTheDashboardsInto() {
        Compose.Mount dashboards = Compose.mountOf(grafana, "./" + Dashboards.DIRECTORY)
                .orElseThrow(() -> new AssertionError("grafana does not mount ./" + Dashboards.DIRECTORY));

        assertThat(provider.at("/options/path").asText()).isEqualTo(dashboards.target());
    }

    @Test
    void grafanaReadsProvisioningFromTheRepository() {
        assertThat(Compose.mountOf(grafana, "./grafana/provisioning")).get()
                .extracting(Compose.Mount::target).isEqualTo("/etc/grafana/provisioning");
    }

    @Test
    void homeDashboardIsTheOverviewAsMounted() {
        String home = Compose.environment(grafana, "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").orElseThrow();
        String directory = provider.at("/options/path").asText() + "/";

        assertThat(home).startsWith(directory);
        String file = Dashboards.DIRECTORY + "/" + home.substring(directory.length());
        assertThat(Files.isRegularFile(RepoRoot.path().resolve(file))).as(file).isTrue();
        assertThat(Dashboards.parsed().get(home.substring(directory.length())).path("uid").asText())
                .isEqualTo("poolwatch-overview");
    }
}
