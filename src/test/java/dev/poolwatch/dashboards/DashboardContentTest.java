package dev.poolwatch.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.pool.ErrorKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the panels say is what the rules and metrics mean: thresholds, alert names, colours, role splits and the
 * per-instance view an operator needs at 3 a.m.
 */
class DashboardContentTest {

    private static final Pattern ALERT_NAME = Pattern.compile("\\bSqlitePool[A-Z]\\w+");
    private static final Pattern BY = Pattern.compile("\\bby \\(([^)]*)\\)");
    private static final Pattern THRESHOLD = Pattern.compile(">\\s*([0-9][0-9.]*(?:\\s*\\*\\s*[0-9][0-9.]*)*)\\s*$");

    private final Map<String, JsonNode> dashboards = Dashboards.parsed();

    @Test
    void walPanelsRedLineIsWhereSqlitePoolWalTooLargeFires() {
        double alertThreshold = threshold(alert("SqlitePoolWalTooLarge"), "sqlite_pool_wal_size_bytes");
        JsonNode wal = panel("pool-detail.json", "WAL size");
        List<Double> red = new ArrayList<>();
        wal.at("/fieldConfig/defaults/thresholds/steps").forEach(step -> {
            if (step.path("color").asText().equals("red")) {
                red.add(step.path("value").asDouble());
            }
        });

        assertThat(red).containsExactly(alertThreshold);
    }

    @Test
    void alertsNamedInPanelDescriptionsReadWhatThePanelShows() {
        Map<String, Set<String>> recorded = new HashMap<>();
        Map<String, Set<String>> metricsOfAlert = new HashMap<>();
        for (JsonNode rule : RulesCrossReferenceTest.rules()) {
            String name = rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
            (rule.has("alert") ? metricsOfAlert : recorded).computeIfAbsent(name, k -> new HashSet<>())
                    .addAll(metrics(rule.path("expr").asText()));
        }
        metricsOfAlert.values().forEach(read -> expand(read, recorded));
        List<String> wrong = new ArrayList<>();
        forEachPanel((file, panel) -> {
            Matcher m = ALERT_NAME.matcher(panel.path("description").asText());
            Set<String> shown = new HashSet<>();
            panel.path("targets").forEach(t -> shown.addAll(metrics(t.path("expr").asText(""))));
            while (m.find()) {
                Set<String> read = metricsOfAlert.getOrDefault(m.group(), Set.of());
                if (read.stream().noneMatch(shown::contains)) {
                    wrong.add(file + " \"" + panel.path("title").asText() + "\" names " + m.group()
                            + (read.isEmpty() ? ", which is no alert" : ", which reads " + read + " not " + shown));
                }
            }
        });

        assertThat(wrong).isEmpty();
    }

    @Test
    void heatmapsShowOneRoleAndDoNotRoundTheirBuckets() {
        List<JsonNode> heatmaps = new ArrayList<>();
        forEachPanel((file, panel) -> {
            if (panel.path("type").asText().equals("heatmap")) {
                heatmaps.add(panel);
            }
        });

        assertThat(heatmaps).isNotEmpty().allSatisfy(h -> {
            // 2.5 ms would read "3 ms" with 0 decimals; Grafana's automatic decimals keep the bucket's bound.
            assertThat(h.at("/options/yAxis").has("decimals")).as(h.path("title").asText()).isFalse();
            assertThat(h.at("/targets/0/expr").asText()).as(h.path("title").asText())
                    .containsAnyOf("role=\"writer\"", "role=\"reader\"");
        });
        assertThat(heatmaps).extracting(h -> h.path("title").asText()).contains(
                "Writer acquire latency distribution", "Reader acquire latency distribution",
                "Writer usage time distribution", "Reader usage time distribution");
    }

    @Test
    void everyErrorKindHasItsOwnFixedColourAndCorruptIsRed() {
        List<JsonNode> byKind = new ArrayList<>();
        forEachPanel((file, panel) -> panel.path("targets").forEach(t -> {
            String expr = t.path("expr").asText("");
            if (expr.contains("sqlite_pool_errors_total") && expr.contains("kind)")) {
                byKind.add(panel);
            }
        }));

        assertThat(byKind).hasSizeGreaterThanOrEqualTo(2).allSatisfy(panel -> {
            Map<String, String> colours = new HashMap<>();
            panel.at("/fieldConfig/overrides").forEach(o -> {
                String regex = o.at("/matcher/options").asText();
                for (ErrorKind kind : ErrorKind.values()) {
                    if (("x " + kind.tag()).matches(regex)) {
                        colours.put(kind.tag(), o.at("/properties/0/value/fixedColor").asText());
                    }
                }
            });
            assertThat(colours.keySet()).as(panel.path("title").asText())
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(ErrorKind.values()).map(ErrorKind::tag).toList());
            assertThat(new HashSet<>(colours.values())).hasSameSizeAs(colours.values());
            assertThat(colours).containsEntry("corrupt", "red");
        });
    }

    @Test
    void panelsThatGroupByPoolKeepTheInstance() {
        List<String> hidden = new ArrayList<>();
        forEachPanel((file, panel) -> panel.path("targets").forEach(t -> {
            Matcher by = BY.matcher(t.path("expr").asText(""));
            while (by.find()) {
                List<String> labels = Arrays.stream(by.group(1).split(",")).map(String::trim).toList();
                if (labels.contains("pool") && !labels.contains("instance")) {
                    hidden.add(file + " \"" + panel.path("title").asText() + "\": by (" + by.group(1) + ")");
                }
            }
        }));

        assertThat(hidden).isEmpty();
    }

    @Test
    void linksToAPoolCarryItsInstance() {
        List<String> links = new ArrayList<>();
        collect(dashboards.values(), "url", links);
        List<String> toPools = links.stream().filter(u -> u.contains("var-pool=")).toList();

        assertThat(toPools).isNotEmpty().allSatisfy(u -> assertThat(u).contains("var-instance="));
    }

    @Test
    void overviewShowsTrafficAndTheHealthPenalties() {
        Set<String> shown = new HashSet<>();
        dashboards.get("overview.json").path("panels").forEach(p ->
                p.path("targets").forEach(t -> shown.addAll(metrics(t.path("expr").asText("")))));

        assertThat(panel("overview.json", "Acquires per second").at("/targets/0/expr").asText())
                .contains("rate(sqlite_pool_acquire_seconds_count");
        assertThat(shown).contains("pool:sqlite_pool_health:penalty");
    }

    @Test
    void instanceVariablesListPoolwatchTargetsOfTheSelectedJobsOnly() {
        dashboards.forEach((file, d) -> d.at("/templating/list").forEach(v -> {
            if (v.path("name").asText().equals("instance")) {
                String query = v.path("query").asText();
                assertThat(query).as(file).contains("job=~\"$job\"")
                        .containsAnyOf("label_values(sqlite_pool_", "label_values(poolwatch_");
            }
        }));
    }

    private static Set<String> metrics(String expr) {
        Set<String> out = new HashSet<>();
        if (!expr.isBlank()) {
            PromQl.analyse(expr).selectors().forEach(s -> out.add(s.metric()));
        }
        return out;
    }

    /** Adds what the recording rules among {@code metrics} read, down to scraped series. */
    private static void expand(Set<String> metrics, Map<String, Set<String>> recorded) {
        List<String> todo = new ArrayList<>(metrics);
        while (!todo.isEmpty()) {
            for (String m : recorded.getOrDefault(todo.remove(0), Set.of())) {
                if (metrics.add(m)) {
                    todo.add(m);
                }
            }
        }
    }

    private static JsonNode alert(String name) {
        return RulesCrossReferenceTest.rules().stream().filter(r -> r.path("alert").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no alert " + name + " in prometheus/rules"));
    }

    /** The number an alert compares its metric with, such as {@code 256 * 1024 * 1024}. */
    private static double threshold(JsonNode alert, String metric) {
        String expr = alert.path("expr").asText().strip();
        assertThat(expr).as(alert.path("alert").asText()).startsWith(metric);
        Matcher m = THRESHOLD.matcher(expr);
        assertThat(m.find()).as("a '> number' threshold in " + expr).isTrue();
        double product = 1;
        for (String factor : m.group(1).split("\\*")) {
            product *= Double.parseDouble(factor.strip());
        }
        return product;
    }

    private JsonNode panel(String file, String title) {
        return DashboardLinter.panels(dashboards.get(file)).stream()
                .filter(p -> p.path("title").asText().equals(title)).findFirst()
                .orElseThrow(() -> new AssertionError(file + " has no panel " + title));
    }

    private void forEachPanel(java.util.function.BiConsumer<String, JsonNode> f) {
        dashboards.forEach((file, d) -> DashboardLinter.panels(d).forEach(p -> f.accept(file, p)));
    }

    private static void collect(Iterable<JsonNode> nodes, String field, List<String> out) {
        for (JsonNode node : nodes) {
            if (node.has(field) && node.path(field).isTextual()) {
                out.add(node.path(field).asText());
            }
            collect(node, field, out);
        }
    }
}
