package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prometheus/rules/*.yml and grafana/dashboards/*.json are generated from mixin/ and checked in: regenerating them
 * with the real jsonnet must give the same bytes, so an edit of a generated file (or of the mixin without
 * regenerating) fails here.
 */
class MixinTest {

    @TempDir
    Path scratch;

    private final Tool jsonnet = Tool.require("jsonnet", "jsonnet");

    @Test
    void checkedInRuleFilesAreWhatTheMixinGenerates() throws IOException {
        Path out = Files.createDirectory(scratch.resolve("rules"));

        jsonnet.runOk(scratch, List.of("-J", "mixin", "-S", "-m", out.toString(), "mixin/prometheus-rules.jsonnet"));

        List<Path> generated = RuleFiles.yamlFilesIn(out);
        assertThat(generated.stream().map(p -> p.getFileName().toString()))
                .as("files the mixin writes, against prometheus/rules")
                .containsExactlyElementsOf(RuleFiles.ruleFiles().stream().map(p -> p.getFileName().toString()).toList());
        for (Path file : generated) {
            assertThat(Files.readString(RuleFiles.root().resolve("prometheus/rules").resolve(file.getFileName())))
                    .as("prometheus/rules/%s differs from the mixin's output: run scripts/generate-rules", file.getFileName())
                    .isEqualTo(Files.readString(file));
        }
    }

    /** The override docs/alerts.md shows: one threshold changed in a five-line file, every other rule unchanged. */
    @Test
    void aFiveLineOverrideChangesOneThreshold() throws IOException {
        Path override = Files.writeString(scratch.resolve("override.jsonnet"), """
                local poolwatch = import 'mixin.libsonnet';
                (poolwatch + {
                  _config+:: { walTooLarge+: { mebibytes: 512 } },
                }).prometheusAlerts
                """);

        String out = jsonnet.runOk(scratch, List.of("-J", "mixin", override.toString()));

        assertThat(out).contains("sqlite_pool_wal_size_bytes{job=~\\\".+\\\"} > 512 * 1024 * 1024")
                .doesNotContain("> 256 * 1024 * 1024");
    }

    @Test
    void checkedInDashboardsAreWhatTheMixinGenerates() throws IOException {
        Path out = Files.createDirectory(scratch.resolve("dashboards"));

        jsonnet.runOk(scratch, List.of("-J", "mixin", "-m", out.toString(), "mixin/dashboards.jsonnet"));

        Path checkedIn = RuleFiles.root().resolve("grafana/dashboards");
        assertThat(jsonFilesIn(out)).as("files the mixin writes, against grafana/dashboards")
                .containsExactlyElementsOf(jsonFilesIn(checkedIn));
        for (String file : jsonFilesIn(out)) {
            assertThat(Files.readString(checkedIn.resolve(file)))
                    .as("grafana/dashboards/%s differs from the mixin's output: run scripts/generate-rules", file)
                    .isEqualTo(Files.readString(out.resolve(file)));
        }
    }

    /**
     * The dashboards read the same _config as the alerts: the override that moves an alert threshold moves the
     * panel's colour step with it, and the selector and target labels reach the variables and every query.
     */
    @Test
    void anOverrideOfTheConfigChangesTheDashboardsToo() throws IOException {
        Path override = Files.writeString(scratch.resolve("override.jsonnet"), """
                local poolwatch = import 'mixin.libsonnet';
                (poolwatch + {
                  _config+:: { walTooLarge+: { mebibytes: 512 }, acquireLatency+: { seconds: 0.2 },
                               selector: 'job="billing"', dashboardLabels: ['cluster', 'job', 'instance'] },
                }).grafanaDashboards
                """);

        JsonNode dashboards = JSON.readTree(jsonnet.runOk(scratch, List.of("-J", "mixin", override.toString())));

        JsonNode poolDetail = dashboards.path("pool-detail.json");
        assertThat(steps(panel(poolDetail, "WAL size")))
                .containsExactly(0.0, 64.0 * 1024 * 1024, 512.0 * 1024 * 1024);
        assertThat(steps(panel(poolDetail, "Acquire latency quantiles"))).containsExactly(0.0, 0.2);
        assertThat(steps(panel(dashboards.path("overview.json"), "Acquire latency"))).containsExactly(0.0, 0.2);
        assertThat(panel(poolDetail, "Acquire latency quantiles").path("description").asText())
                .contains("the 200 ms target").doesNotContain("50 ms");

        JsonNode variables = poolDetail.at("/templating/list");
        assertThat(variables.findValuesAsText("name")).startsWith("datasource", "cluster", "job", "instance", "pool");
        assertThat(variables.get(1).path("query").asText())
                .isEqualTo("label_values(sqlite_pool_connections{job=\"billing\"}, cluster)");
        List<String> exprs = new ArrayList<>();
        dashboards.forEach(d -> d.findValues("expr").forEach(e -> exprs.add(e.asText())));
        assertThat(exprs).hasSizeGreaterThan(100)
                .filteredOn(e -> e.contains("{job=~\"$job\""))
                .as("queries still narrowed by job first, without the cluster").isEmpty();
        assertThat(exprs).filteredOn(e -> e.contains("instance=~\"$instance"))
                .hasSizeGreaterThan(100)
                .allSatisfy(e -> assertThat(e).contains("cluster=~\"$cluster"));
    }

    /**
     * A target label added to dashboardLabels keeps two same-named instances of two clusters apart everywhere, not
     * only in the selectors: every aggregation and join that keeps the instance keeps the cluster, every legend
     * and table that names the instance names the cluster, and every link that carries the instance carries it.
     */
    @Test
    void anAddedTargetLabelReachesEveryAggregationLegendColumnAndLink() throws IOException {
        Path override = Files.writeString(scratch.resolve("cluster.jsonnet"), """
                local poolwatch = import 'mixin.libsonnet';
                (poolwatch + { _config+:: { dashboardLabels: ['cluster', 'job', 'instance'] } }).grafanaDashboards
                """);

        JsonNode dashboards = JSON.readTree(jsonnet.runOk(scratch, List.of("-J", "mixin", override.toString())));

        List<String> clauses = new ArrayList<>();
        List<String> legends = new ArrayList<>();
        List<String> links = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        dashboards.fields().forEachRemaining(d -> {
            d.getValue().findValues("expr").forEach(e -> {
                Matcher clause = BY_OR_ON.matcher(e.asText());
                while (clause.find()) {
                    List<String> labels = Arrays.stream(clause.group(2).split(",")).map(String::trim).toList();
                    if (labels.contains("instance")) {
                        clauses.add(d.getKey() + ": " + clause.group());
                    }
                }
            });
            d.getValue().findValues("legendFormat").forEach(l -> legends.add(d.getKey() + ": " + l.asText()));
            d.getValue().findValues("textFormat").forEach(l -> legends.add(d.getKey() + ": " + l.asText()));
            d.getValue().findValues("url").forEach(u -> links.add(d.getKey() + ": " + u.asText()));
            d.getValue().findValues("excludeByName").forEach(x -> x.fieldNames().forEachRemaining(excluded::add));
        });

        assertThat(clauses).as("by/on clauses that keep the instance").hasSizeGreaterThan(80)
                .allSatisfy(c -> assertThat(c).containsPattern("[(,] *cluster *[,)]"));
        assertThat(legends).filteredOn(l -> l.contains("{{instance}}")).hasSizeGreaterThan(60)
                .allSatisfy(l -> assertThat(l).contains("{{cluster}} {{instance}}"));
        assertThat(links).filteredOn(u -> u.contains("var-instance=")).hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(u -> assertThat(u).contains("var-cluster=${__data.fields."));
        assertThat(excluded).as("table columns hidden").doesNotContain("cluster").contains("job");

        try (Stream<Path> files = Files.list(RuleFiles.root().resolve("grafana/dashboards"))) {
            assertThat(files.filter(f -> f.toString().endsWith(".json")).toList()).hasSize(5)
                    .allSatisfy(f -> assertThat(Files.readString(f)).as("default %s", f.getFileName())
                            .doesNotContain("cluster"));
        }
    }

    private static final Pattern BY_OR_ON = Pattern.compile("\\b(by|on) *\\(([^)]*)\\)");

    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> jsonFilesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private static JsonNode panel(JsonNode dashboard, String title) {
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("title").asText().equals(title)) {
                return panel;
            }
        }
        throw new AssertionError("no panel \"" + title + "\" in " + dashboard.path("uid").asText());
    }

    /** The threshold steps of a panel, the base step (value null) as 0. */
    private static List<Double> steps(JsonNode panel) {
        List<Double> out = new ArrayList<>();
        panel.at("/fieldConfig/defaults/thresholds/steps").forEach(s -> out.add(s.path("value").asDouble(0)));
        return out;
    }
}
