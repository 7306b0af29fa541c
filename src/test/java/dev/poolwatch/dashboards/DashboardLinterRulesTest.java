package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.poolwatch.dashboards.DashboardLinter.Rule;
import dev.poolwatch.dashboards.DashboardLinter.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each lint rule fails on a dashboard that breaks it. The baseline is clean, so a violation below can only come
 * from the one change each test makes; its only panel sits in a collapsed row, so nested panels are linted too.
 */
class DashboardLinterRulesTest {

    private static final String BASELINE = """
            {
              "uid": "lint-baseline",
              "title": "Baseline",
              "templating": {"list": [
                {"name": "datasource", "type": "datasource", "query": "prometheus"},
                {"name": "job", "label": "job", "type": "query", "multi": true, "includeAll": true, "allValue": ".+",
                 "datasource": {"type": "prometheus", "uid": "${datasource}"}},
                {"name": "instance", "type": "query", "multi": true, "includeAll": true,
                 "datasource": {"type": "prometheus", "uid": "${datasource}"}},
                {"name": "pool", "type": "query", "multi": true, "includeAll": true,
                 "datasource": {"type": "prometheus", "uid": "${datasource}"}}
              ]},
              "annotations": {"list": [
                {"name": "Recovery actions", "enable": true,
                 "datasource": {"type": "prometheus", "uid": "${datasource}"},
                 "expr": "sum by (pool) (increase(poolwatch_recovery_actions_total{job=~\\"$job\\", instance=~\\"$instance\\", pool=~\\"$pool\\", outcome=\\"succeeded\\"}[$__rate_interval])) > 0"}
              ]},
              "panels": [
                {"id": 1, "type": "row", "title": "Traffic", "collapsed": true, "panels": [
                  {"id": 2, "type": "timeseries", "title": "Timeouts", "description": "Callers that gave up.",
                   "datasource": {"type": "prometheus", "uid": "${datasource}"},
                   "fieldConfig": {"defaults": {"unit": "cps"}, "overrides": []},
                   "targets": [{"refId": "A", "datasource": {"type": "prometheus", "uid": "${datasource}"},
                     "expr": "sum by (pool) (rate(sqlite_pool_timeouts_total{job=~\\"$job\\", instance=~\\"$instance\\", pool=~\\"$pool\\"}[$__rate_interval]))"}]}
                ]}
              ]
            }
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCOPE = "{job=~\"$job\", instance=~\"$instance\", pool=~\"$pool\"}";

    private final DashboardLinter linter = new DashboardLinter(MetricCatalog.fromRepository());

    @Test
    void baselineDashboardIsClean() throws Exception {
        assertThat(lint(baseline())).isEmpty();
    }

    @Test
    void reportsAFileThatIsNotJson() {
        assertThat(rules(linter.lint("broken.json", "{\"uid\": "))).containsOnly(Rule.INVALID_JSON);
    }

    @Test
    void reportsADashboardWithoutAFixedUid() throws Exception {
        ObjectNode d = baseline();
        d.remove("uid");

        assertThat(rules(lint(d))).containsOnly(Rule.UID);
    }

    @Test
    void reportsTwoDashboardsSharingAUid() throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("a.json", baseline().toString());
        files.put("b.json", baseline().toString());

        assertThat(rules(linter.lintAll(files))).containsOnly(Rule.DUPLICATE_UID);
    }

    @Test
    void reportsAMissingPoolVariable() throws Exception {
        ObjectNode d = baseline();
        variables(d).remove(3);

        assertThat(rules(lint(d))).containsOnly(Rule.VARIABLES);
    }

    @Test
    void reportsAnInstanceVariableWithoutMultiSelectAndAll() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) variables(d).get(2)).put("includeAll", false);

        assertThat(rules(lint(d))).containsOnly(Rule.VARIABLES);
    }

    @Test
    void reportsADatasourceVariableThatIsNotAPrometheusPicker() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) variables(d).get(0)).put("type", "custom");

        assertThat(rules(lint(d))).containsOnly(Rule.VARIABLES);
    }

    @Test
    void reportsADashboardWithoutAJobVariable() throws Exception {
        ObjectNode d = baseline();
        variables(d).remove(1);

        assertThat(rules(lint(d))).containsOnly(Rule.TEMPLATE_JOB);
    }

    @Test
    void reportsAJobVariableWhoseAllIsNotEveryJob() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) variables(d).get(1)).put("allValue", "");

        assertThat(rules(lint(d))).containsOnly(Rule.TEMPLATE_JOB);
    }

    @Test
    void reportsAJobVariableThatIsNotAMultiSelectQuery() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) variables(d).get(1)).put("type", "custom").put("multi", false);

        assertThat(rules(lint(d))).containsOnly(Rule.TEMPLATE_JOB);
    }

    @Test
    void reportsAQueryNotNarrowedByTheJobVariable() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{instance=~\"$instance\", "
                + "pool=~\"$pool\"}[$__rate_interval]))"))).containsOnly(Rule.TARGET_JOB);
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{job=\"poolwatch\", "
                + "instance=~\"$instance\", pool=~\"$pool\"}[$__rate_interval]))"))).containsOnly(Rule.TARGET_JOB);
    }

    @Test
    void reportsAQueryNotNarrowedByTheInstanceVariable() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{job=~\"$job\", pool=~\"$pool\"}"
                + "[$__rate_interval]))"))).containsOnly(Rule.TARGET_INSTANCE);
    }

    @Test
    void narrowsEverySelectorByJobAndInstanceEvenUpAndBuildInfo() throws Exception {
        assertThat(rules(lintExpr("up{instance=~\"$instance\"}"))).containsOnly(Rule.TARGET_JOB);
        assertThat(lintExpr("up{job=~\"$job\", instance=~\"$instance\"} and on (job, instance) "
                + "present_over_time(poolwatch_build_info{job=~\"$job\", instance=~\"$instance\"}[$__range])"))
                .isEmpty();
        assertThat(rules(lintExpr("up{job=~\"$job\", instance=~\"$instance\"} and on (job, instance) "
                + "poolwatch_build_info{job=~\"$job\"}"))).containsOnly(Rule.TARGET_INSTANCE);
    }

    @Test
    void reportsAnImportPlaceholderInsteadOfTheDatasourceVariable() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) panel(d).get("datasource")).put("uid", "${DS_PROMETHEUS}");

        assertThat(rules(lint(d))).containsOnly(Rule.IMPORT_PLACEHOLDER, Rule.DATASOURCE);
    }

    @Test
    void reportsANestedPanelWithoutTitle() throws Exception {
        ObjectNode d = baseline();
        panel(d).put("title", "");

        assertThat(rules(lint(d))).containsOnly(Rule.TITLE);
    }

    @Test
    void reportsTwoPanelsWithTheSameTitle() throws Exception {
        ObjectNode d = baseline();
        ObjectNode copy = panel(d).deepCopy();
        copy.put("id", 3);
        ((ArrayNode) d.at("/panels")).add(copy);

        assertThat(rules(lint(d))).containsOnly(Rule.TITLE);
    }

    @Test
    void reportsANestedPanelWithoutDescription() throws Exception {
        ObjectNode d = baseline();
        panel(d).remove("description");

        assertThat(rules(lint(d))).containsOnly(Rule.DESCRIPTION);
    }

    @Test
    void reportsAPanelWithoutUnit() throws Exception {
        ObjectNode d = baseline();
        panel(d).remove("fieldConfig");

        assertThat(rules(lint(d))).containsOnly(Rule.UNIT);
    }

    @Test
    void reportsAUnitGrafanaDoesNotKnow() throws Exception {
        ObjectNode d = baseline();
        panel(d).withObject("/fieldConfig/defaults").put("unit", "seconds");

        assertThat(rules(lint(d))).containsOnly(Rule.UNIT);
    }

    @Test
    void readsTheUnitOfAHeatmapFromItsYAxis() throws Exception {
        ObjectNode d = baseline();
        panel(d).put("type", "heatmap");

        assertThat(rules(lint(d))).containsOnly(Rule.UNIT);

        panel(d).withObject("/options/yAxis").put("unit", "s");

        assertThat(lint(d)).isEmpty();
    }

    @Test
    void reportsAPanelPinnedToAFixedDatasource() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) panel(d).get("datasource")).put("uid", "poolwatch-prometheus");

        assertThat(rules(lint(d))).containsOnly(Rule.DATASOURCE);
    }

    @Test
    void reportsAQueryPinnedToAnotherDatasourceThanItsPanel() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) target(d).get("datasource")).put("uid", "other");

        assertThat(rules(lint(d))).containsOnly(Rule.DATASOURCE);
    }

    @Test
    void reportsAnAnnotationOnAnotherDatasource() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) d.at("/annotations/list/0/datasource")).put("uid", "other");

        assertThat(rules(lint(d))).containsOnly(Rule.DATASOURCE);
    }

    @Test
    void reportsAPanelWithoutQuery() throws Exception {
        ObjectNode d = baseline();
        panel(d).putArray("targets");

        assertThat(rules(lint(d))).containsOnly(Rule.NO_TARGETS);
    }

    @Test
    void reportsTwoPanelsWithTheSameId() throws Exception {
        ObjectNode d = baseline();
        panel(d).put("id", 1);

        assertThat(rules(lint(d))).containsOnly(Rule.PANEL_ID);
    }

    @Test
    void reportsAQueryThatCannotBeRead() throws Exception {
        assertThat(rules(lintExpr("sum(rate(sqlite_pool_timeouts_total" + SCOPE + "[$__rate_interval])")))
                .containsOnly(Rule.UNREADABLE_QUERY);
    }

    @Test
    void reportsAFixedRangeInsteadOfTheRateInterval() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total" + SCOPE + "[5m]))")))
                .containsOnly(Rule.RANGE);
    }

    @Test
    void reportsTheWholeRangeInsideRate() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total" + SCOPE + "[$__range]))")))
                .containsOnly(Rule.RANGE);
    }

    @Test
    void allowsTheWholeRangeForWindowTotals() throws Exception {
        assertThat(lintExpr("sum by (pool) (increase(sqlite_pool_timeouts_total" + SCOPE + "[$__range]))")).isEmpty();
    }

    @Test
    void reportsASubquery() throws Exception {
        assertThat(rules(lintExpr("max_over_time(sum by (pool) (sqlite_pool_connections_pending" + SCOPE
                + ")[$__rate_interval:])"))).containsOnly(Rule.RANGE);
    }

    @Test
    void reportsACounterReadWithoutRate() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (sqlite_pool_timeouts_total" + SCOPE + ")")))
                .containsOnly(Rule.COUNTER_WITHOUT_RATE);
    }

    @Test
    void reportsACounterAveragedOverTimeInsteadOfRated() throws Exception {
        assertThat(rules(lintExpr("avg_over_time(sqlite_pool_timeouts_total" + SCOPE + "[$__rate_interval])")))
                .containsOnly(Rule.COUNTER_WITHOUT_RATE);
    }

    @Test
    void reportsAQuantileOverBucketsThatAreNotRated() throws Exception {
        assertThat(rules(lintExpr("histogram_quantile(0.99, sum by (le) (sqlite_pool_acquire_seconds_bucket"
                + SCOPE + "))"))).containsOnly(Rule.COUNTER_WITHOUT_RATE);
    }

    @Test
    void reportsSumDividedByCountWithoutRateAsALifetimeAverage() throws Exception {
        assertThat(rules(lintExpr("sqlite_pool_acquire_seconds_sum" + SCOPE + " / sqlite_pool_acquire_seconds_count"
                + SCOPE))).containsOnly(Rule.COUNTER_WITHOUT_RATE, Rule.LIFETIME_AVERAGE);
    }

    @Test
    void acceptsTheAverageOfRates() throws Exception {
        assertThat(lintExpr("sum by (pool) (rate(sqlite_pool_acquire_seconds_sum" + SCOPE + "[$__rate_interval]))"
                + " / sum by (pool) (rate(sqlite_pool_acquire_seconds_count" + SCOPE + "[$__rate_interval]))"))
                .isEmpty();
    }

    @Test
    void reportsAQueryNotNarrowedByThePoolVariable() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{job=~\"$job\", instance=~\"$instance\"}"
                + "[$__rate_interval]))"))).containsOnly(Rule.FILTER);
    }

    @Test
    void reportsAPoolFilterThatIgnoresTheVariable() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{job=~\"$job\", instance=~\"$instance\", "
                + "pool=\"main\"}[$__rate_interval]))"))).containsOnly(Rule.FILTER);
    }

    @Test
    void reportsAQueryNotNarrowedByTheRoleVariableWhenTheDashboardHasOne() throws Exception {
        ObjectNode d = baseline();
        variables(d).addObject().put("name", "role").put("type", "query").put("multi", true).put("includeAll", true)
                .putObject("datasource").put("type", "prometheus").put("uid", "${datasource}");

        assertThat(rules(lint(d))).containsOnly(Rule.FILTER);
    }

    @Test
    void doesNotAskForAFilterOnALabelTheMetricLacks() throws Exception {
        assertThat(lintExpr("max by (pool) (sqlite_pool_wal_size_bytes" + SCOPE + ")")).isEmpty();
        assertThat(lintExpr("max(poolwatch_recovery_circuit_open{job=~\"$job\", instance=~\"$instance\"})")).isEmpty();
    }

    @Test
    void reportsAMetricMissingFromTheCatalog() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeout_total" + SCOPE + "[$__rate_interval]))")))
                .containsOnly(Rule.UNKNOWN_METRIC);
    }

    @Test
    void reportsALabelTheMetricDoesNotCarry() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (rate(sqlite_pool_timeouts_total{job=~\"$job\", instance=~\"$instance\", "
                + "pool=~\"$pool\", kind=\"busy\"}[$__rate_interval]))"))).containsOnly(Rule.UNKNOWN_LABEL);
    }

    @Test
    void reportsALabelValueTheCatalogDoesNotList() throws Exception {
        assertThat(rules(lintExpr("sum by (pool) (sqlite_pool_connections{job=~\"$job\", instance=~\"$instance\", "
                + "pool=~\"$pool\", state=\"acitve\"})"))).containsOnly(Rule.UNKNOWN_LABEL_VALUE);
        assertThat(rules(lintExpr("sum by (pool) (rate(poolwatch_recovery_actions_total{job=~\"$job\", instance=~\"$instance\", "
                + "pool=~\"$pool\", outcome=~\"succeeded|success\"}[$__rate_interval]))")))
                .containsOnly(Rule.UNKNOWN_LABEL_VALUE);
    }

    @Test
    void readsRecordingRuleLabelsFromTheirLevelPlusJobAndInstance() throws Exception {
        assertThat(lintExpr("pool:sqlite_pool_health:score{job=~\"$job\", instance=~\"$instance\", pool=~\"$pool\"}")).isEmpty();
        assertThat(rules(lintExpr("pool:sqlite_pool_health:score{job=~\"$job\", instance=~\"$instance\"}")))
                .containsOnly(Rule.FILTER);
        assertThat(rules(lintExpr("pool:sqlite_pool_health:score{job=~\"$job\", pool=~\"$pool\"}")))
                .containsOnly(Rule.TARGET_INSTANCE);
        assertThat(rules(lintExpr("pool:sqlite_pool_health:score{job=~\"$job\", instance=~\"$instance\", pool=~\"$pool\", "
                + "role=\"writer\"}"))).containsOnly(Rule.UNKNOWN_LABEL);
    }

    @Test
    void lintsAnnotationQueriesLikePanelQueries() throws Exception {
        ObjectNode d = baseline();
        ((ObjectNode) d.at("/annotations/list/0")).put("expr", "poolwatch_recovery_actions_total" + SCOPE + " > 0");

        assertThat(rules(lint(d))).containsOnly(Rule.COUNTER_WITHOUT_RATE);
    }

    @Test
    void promtoolRejectsAQueryPrometheusCannotParse(@TempDir Path workDir) throws Exception {
        List<String> errors = Promtool.syntaxErrors(List.of(new DashboardLinter.Query("bad.json panel 9",
                "sum(rate(sqlite_pool_timeouts_total{pool=~\"$pool\"}[$__rate_interval]) by (pool)")), workDir);

        assertThat(errors).isNotEmpty().anySatisfy(e -> assertThat(e).contains("bad.json panel 9"));
    }

    @Test
    void promtoolAcceptsQueriesOnceGrafanaVariablesAreSubstituted(@TempDir Path workDir) throws Exception {
        assertThat(Promtool.syntaxErrors(List.of(new DashboardLinter.Query("good.json panel 1",
                "sum by (pool) (increase(sqlite_pool_timeouts_total{pool=~\"${pool:regex}|\"}[$__range]))"
                        + " / on (pool) sum by (pool) (rate(sqlite_pool_acquire_seconds_count{pool=~\"$pool\"}"
                        + "[$__rate_interval]))")), workDir)).isEmpty();
    }

    private List<Violation> lint(ObjectNode dashboard) {
        return linter.lint("test.json", dashboard.toString());
    }

    private List<Violation> lintExpr(String expr) throws Exception {
        ObjectNode d = baseline();
        target(d).put("expr", expr);
        return lint(d);
    }

    private static List<Rule> rules(List<Violation> violations) {
        assertThat(violations).as("violations").isNotEmpty();
        return violations.stream().map(Violation::rule).toList();
    }

    private static ObjectNode baseline() throws Exception {
        return (ObjectNode) JSON.readTree(BASELINE);
    }

    private static ArrayNode variables(ObjectNode d) {
        return (ArrayNode) d.at("/templating/list");
    }

    private static ObjectNode panel(ObjectNode d) {
        return (ObjectNode) d.at("/panels/0/panels/0");
    }

    private static ObjectNode target(ObjectNode d) {
        return (ObjectNode) d.at("/panels/0/panels/0/targets/0");
    }
}
