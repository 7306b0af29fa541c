package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed dashboards follow the lint conventions, parse as PromQL, and match what links to them. */
class DashboardLintTest {

    /** The alert rules' dashboard_url annotations are written against these. */
    private static final List<String> FIXED_UIDS = List.of(
            "poolwatch-overview", "poolwatch-pool-detail", "poolwatch-recovery", "poolwatch-jvm", "poolwatch-fleet");

    /** A row of the alert table in docs/dashboards.md: | `Alert` | `uid` | panel id | panel title | */
    private static final Pattern ALERT_LINK = Pattern.compile(
            "^\\|\\s*`(SqlitePool\\w+)`\\s*\\|\\s*`([\\w-]+)`\\s*\\|\\s*(\\d+)\\s*\\|\\s*([^|]+?)\\s*\\|", Pattern.MULTILINE);

    private final Map<String, String> sources = Dashboards.sources();

    @TestFactory
    Stream<DynamicTest> everyDashboardFollowsTheLintConventions() {
        List<DashboardLinter.Violation> violations =
                new DashboardLinter(MetricCatalog.fromRepository()).lintAll(sources);
        return sources.keySet().stream().map(name -> DynamicTest.dynamicTest(name, () ->
                assertThat(violations).filteredOn(v -> v.where().startsWith(name)).isEmpty()));
    }

    @Test
    void dashboardsAreTheFourWithTheUidsAlertLinksUse() {
        List<String> uids = Dashboards.parsed().values().stream().map(d -> d.path("uid").asText()).toList();

        assertThat(uids).containsExactlyInAnyOrderElementsOf(FIXED_UIDS);
    }

    @Test
    void everyQueryParsesWithPromtool(@TempDir Path workDir) throws Exception {
        List<DashboardLinter.Query> queries = new ArrayList<>();
        Dashboards.parsed().forEach((name, dashboard) -> queries.addAll(DashboardLinter.queries(name, dashboard)));

        assertThat(queries).hasSizeGreaterThan(FIXED_UIDS.size());
        assertThat(Promtool.syntaxErrors(queries, workDir)).isEmpty();
    }

    @Test
    void everyDashboardMarksRecoveryActionsWithAnAnnotation() {
        Dashboards.parsed().forEach((name, dashboard) -> {
            List<JsonNode> annotations = new ArrayList<>();
            dashboard.path("annotations").path("list").forEach(annotations::add);

            assertThat(annotations).as(name).anySatisfy(a -> {
                assertThat(a.path("enable").asBoolean()).isTrue();
                assertThat(a.path("expr").asText()).contains("poolwatch_recovery_actions_total");
            });
        });
    }

    @Test
    void alertLinksDocumentedForTheRulesOpenThePanelTheyName() {
        Matcher row = ALERT_LINK.matcher(RepoRoot.read("docs/dashboards.md"));
        int rows = 0;
        while (row.find()) {
            rows++;
            String alert = row.group(1);
            JsonNode dashboard = Dashboards.byUid(row.group(2)).orElseThrow(
                    () -> new AssertionError(alert + " links to unknown dashboard " + row.group(2)));
            JsonNode panel = Dashboards.panel(dashboard, Integer.parseInt(row.group(3))).orElseThrow(
                    () -> new AssertionError(alert + " links to missing panel " + row.group(3)));

            assertThat(panel.path("title").asText()).as(alert).isEqualTo(row.group(4));
        }
        assertThat(rows).as("alert link rows in docs/dashboards.md").isPositive();
    }
}
