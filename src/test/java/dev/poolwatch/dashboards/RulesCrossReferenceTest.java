package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contracts between the dashboards and compose file on one side and prometheus/ and alertmanager/ on the
 * other: links, recording rules, scrape interval, mounted paths and the shared token.
 */
class RulesCrossReferenceTest {

    private static final Pattern DASHBOARD_URL = Pattern.compile("^http://localhost:3000/d/([\\w-]+)(?:\\?(.*))?$");
    private static final Pattern VIEW_PANEL = Pattern.compile("^(?:panel-)?(\\d+)$");
    private static final String TOKEN_FILE = "/etc/alertmanager/secrets/poolwatch-token";

    @Test
    void everyAlertsDashboardUrlOpensAFixedDashboardWithItsVariablesAndPanel() {
        List<JsonNode> alerts = rules().stream().filter(r -> r.has("alert"))
                .filter(r -> r.path("annotations").has("dashboard_url")).toList();

        assertThat(alerts).as("alerts with a dashboard_url").isNotEmpty();
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            String url = alert.at("/annotations/dashboard_url").asText();
            Matcher m = DASHBOARD_URL.matcher(url);
            assertThat(m.matches()).as(name + ": " + url).isTrue();
            JsonNode dashboard = Dashboards.byUid(m.group(1))
                    .orElseThrow(() -> new AssertionError(name + " links to unknown dashboard " + m.group(1)));
            Set<String> variables = new HashSet<>();
            dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
            for (String parameter : m.group(2) == null ? new String[0] : m.group(2).split("&")) {
                String key = parameter.substring(0, parameter.indexOf('='));
                String value = parameter.substring(parameter.indexOf('=') + 1);
                if (key.startsWith("var-")) {
                    assertThat(variables).as(name + " sets " + key).contains(key.substring(4));
                } else if (key.equals("viewPanel")) {
                    Matcher id = VIEW_PANEL.matcher(value);
                    assertThat(id.matches() && Dashboards.panel(dashboard, Integer.parseInt(id.group(1))).isPresent())
                            .as(name + " opens panel " + value).isTrue();
                }
            }
        }
    }

    @Test
    void everyRecordingRuleTheDashboardsQueryIsRecorded() {
        Set<String> used = new TreeSet<>();
        Dashboards.parsed().forEach((name, dashboard) -> DashboardLinter.queries(name, dashboard).forEach(q ->
                PromQl.analyse(q.expr()).selectors().stream().map(PromQl.Selector::metric)
                        .filter(metric -> metric.contains(":")).forEach(used::add)));
        Set<String> recorded = new HashSet<>();
        rules().forEach(r -> recorded.add(r.path("record").asText()));

        assertThat(recorded).containsAll(used);
    }

    @Test
    void grafanaDerivesRateIntervalsFromThePoolwatchScrapeInterval() {
        JsonNode prometheus = Compose.yaml("prometheus/prometheus.yml");
        JsonNode job = scrapeJobOf(prometheus, "poolwatch:9464");
        String interval = job.path("scrape_interval")
                .asText(prometheus.at("/global/scrape_interval").asText("1m"));

        assertThat(Compose.yaml("grafana/provisioning/datasources/prometheus.yml")
                .at("/datasources/0/jsonData/timeInterval").asText()).isEqualTo(interval);
    }

    @Test
    void prometheusLoadsRulesFromTheDirectoryComposeMounts() throws IOException {
        JsonNode service = Compose.service("prometheus");
        Compose.Mount rulesMount = Compose.mountOf(service, "./prometheus/rules").orElseThrow();
        String configDirectory = "/etc/prometheus";
        assertThat(Compose.mountOf(service, "./prometheus/prometheus.yml")).get()
                .extracting(Compose.Mount::target).isEqualTo(configDirectory + "/prometheus.yml");

        for (JsonNode pattern : Compose.yaml("prometheus/prometheus.yml").path("rule_files")) {
            String inContainer = pattern.asText().startsWith("/") ? pattern.asText()
                    : configDirectory + "/" + pattern.asText();
            assertThat(inContainer).startsWith(rulesMount.target() + "/");
            String glob = inContainer.substring(rulesMount.target().length() + 1);
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            try (Stream<Path> files = Files.list(RepoRoot.path().resolve("prometheus/rules"))) {
                assertThat(files.map(Path::getFileName).filter(matcher::matches).count())
                        .as("rule files matching " + pattern.asText()).isPositive();
            }
        }
    }

    @Test
    void prometheusScrapesAndAlertsTheComposeServices() {
        JsonNode prometheus = Compose.yaml("prometheus/prometheus.yml");
        List<String> alertmanagers = new ArrayList<>();
        prometheus.at("/alerting/alertmanagers").forEach(am -> am.path("static_configs")
                .forEach(sc -> sc.path("targets").forEach(t -> alertmanagers.add(t.asText()))));

        assertThat(scrapeJobOf(prometheus, "poolwatch:9464").isMissingNode()).isFalse();
        assertThat(alertmanagers).contains("alertmanager:9093");
    }

    @Test
    void alertmanagerReadsTheRecoveryTokenComposeShares() {
        List<String> credentialFiles = new ArrayList<>();
        collect(Compose.yaml("alertmanager/alertmanager.yml"), "credentials_file", credentialFiles);

        assertThat(credentialFiles).contains(TOKEN_FILE);
        assertThat(Compose.mountAt(Compose.service("alertmanager"), TOKEN_FILE.substring(0, TOKEN_FILE.lastIndexOf('/'))))
                .isPresent();
    }

    private static JsonNode scrapeJobOf(JsonNode prometheus, String target) {
        for (JsonNode job : prometheus.path("scrape_configs")) {
            for (JsonNode config : job.path("static_configs")) {
                for (JsonNode t : config.path("targets")) {
                    if (t.asText().equals(target)) {
                        return job;
                    }
                }
            }
        }
        throw new AssertionError("prometheus.yml has no job scraping " + target);
    }

    static List<JsonNode> rules() {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(RepoRoot.path().resolve("prometheus/rules"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml"))
                    .sorted().toList()) {
                Compose.yaml("prometheus/rules/" + file.getFileName()).path("groups")
                        .forEach(g -> g.path("rules").forEach(out::add));
            }
        } catch (IOException e) {
            throw new AssertionError("prometheus/rules does not exist in the repository", e);
        }
        return out;
    }

    private static void collect(JsonNode node, String field, List<String> out) {
        if (node.has(field)) {
            out.add(node.path(field).asText());
        }
        node.forEach(child -> collect(child, field, out));
    }
}
