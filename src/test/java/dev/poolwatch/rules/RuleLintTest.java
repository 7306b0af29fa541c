package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.rules.RuleFiles.AlertRule;
import dev.poolwatch.rules.RuleFiles.RecordingRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The conventions of monitoring-mixins (what {@code mixtool lint} checks) and of this repository, checked on the rule
 * files, their promtool tests, the runbooks and docs/alerts.md. Each test lists every offending rule at once.
 */
class RuleLintTest {

    private static final Pattern ALERT_NAME = Pattern.compile("SqlitePool(?:[A-Z][a-z0-9]+)+");
    private static final Set<String> SEVERITIES = Set.of("critical", "warning", "info");
    /** The actions the recovery webhook carries out (recovery_action label values). */
    private static final Set<String> RECOVERY_ACTIONS =
            Set.of("restart_pool", "evict_idle", "reclaim_leaks", "checkpoint", "optimize", "resize_up", "quick_check",
                    "incremental_vacuum");
    /** Nothing the pool does can release another process's lock or repair a corrupt file safely. */
    private static final String WATCHDOG = "SqlitePoolWatchdog";
    private static final Set<String> NEVER_REMEDIATED = Set.of("SqlitePoolLockContention", "SqlitePoolCorruption");
    private static final List<String> RUNBOOK_SECTIONS =
            List.of("## Meaning", "## Confirm", "## Automatic action", "## What to do");
    private static final Pattern LEVEL_METRIC_OPERATIONS = Pattern.compile("[a-z][a-z_]*:[a-z][a-z0-9_]*:[a-z0-9_]+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

    private final List<AlertRule> alerts = RuleFiles.alertRules();

    @Test
    void shippedRuleFilesHaveAlertsAndRecordingRules() {
        assertThat(alerts).as("alerting rules in prometheus/rules").isNotEmpty();
        assertThat(RuleFiles.recordingRules()).as("recording rules in prometheus/rules").isNotEmpty();
    }

    @Test
    void alertNamesAreCamelCaseWithTheSqlitePoolPrefix() {
        assertThat(offenders(a -> !ALERT_NAME.matcher(a.name()).matches()))
                .as("alert names must match %s, e.g. SqlitePoolWalTooLarge", ALERT_NAME).isEmpty();
    }

    @Test
    void everyAlertHasASeverityOfCriticalWarningOrInfo() {
        assertThat(offenders(a -> !SEVERITIES.contains(a.label("severity"))))
                .as("alerts whose severity label is not one of %s", SEVERITIES).isEmpty();
    }

    @Test
    void everyAlertWaitsAPositiveForDuration() {
        assertThat(offenders(a -> a.forDuration() == null || duration(a.forDuration()).isZero()))
                .as("alerts without a positive for: (one bad scrape must not page anyone)").isEmpty();
    }

    @Test
    void everySummaryIsAStaticSentence() {
        assertThat(offenders(a -> {
            String s = a.annotation("summary");
            return s == null || s.contains("{{") || !s.endsWith(".") || !Character.isUpperCase(s.charAt(0));
        })).as("summaries must be one static sentence, capitalised, ending in a period, without {{ templates }}: "
                + "the same text for every pool, so notifications group").isEmpty();
    }

    /** The Watchdog is about the whole pipeline, not one pool or target: it names the Prometheus it comes from. */
    @Test
    void everyDescriptionIsTemplatedWithThePoolOrTarget() {
        assertThat(offenders(a -> {
            String d = a.annotation("description");
            boolean names = a.name().equals(WATCHDOG) ? d != null && d.contains("$externalLabels")
                    : d != null && (d.contains("{{ $labels.pool }}") || d.contains("$labels.instance"));
            return !names;
        })).as("descriptions must name what is affected with {{ $labels.pool }} (or the target's "
                + "$labels.instance; the Watchdog its Prometheus's $externalLabels)").isEmpty();
    }

    @Test
    void everyRecoveryActionIsOneTheWebhookUnderstands() {
        assertThat(offenders(a -> a.label("recovery_action") != null
                && !RECOVERY_ACTIONS.contains(a.label("recovery_action"))))
                .as("recovery_action must be one of %s", RECOVERY_ACTIONS).isEmpty();
    }

    @Test
    void lockContentionAndCorruptionAreNeverRemediatedAutomatically() {
        assertThat(alerts.stream().map(AlertRule::name)).as("alert names").containsAll(NEVER_REMEDIATED);
        assertThat(offenders(a -> NEVER_REMEDIATED.contains(a.name()) && a.label("recovery_action") != null))
                .as("alerts that must never carry a recovery_action").isEmpty();
    }

    /** The webhook acts on a pool: an alert that asks for an action must keep the pool label, as its tests show. */
    @Test
    void alertsWithARecoveryActionFireWithThePoolLabel() {
        List<String> bad = new ArrayList<>();
        for (AlertRule a : alerts) {
            if (a.label("recovery_action") == null) {
                continue;
            }
            if (!a.annotation("description").contains("{{ $labels.pool }}")) {
                bad.add(a.describe() + ": description does not name {{ $labels.pool }}");
            }
            List<Map<String, String>> fired = firedLabels(a);
            if (fired.isEmpty()) {
                bad.add(a.describe() + ": no promtool test expects it to fire");
            }
            fired.stream().filter(l -> l.get("pool") == null || l.get("pool").isEmpty())
                    .forEach(l -> bad.add(a.describe() + ": fires without a pool label in a test: " + l));
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void everyAlertHasARunbookThatExists() throws IOException {
        List<String> bad = new ArrayList<>();
        for (AlertRule a : alerts) {
            String url = a.annotation("runbook_url");
            String expected = RuleFiles.RUNBOOK_BASE_URL + a.name() + ".md";
            if (!expected.equals(url)) {
                bad.add(a.describe() + ": runbook_url is " + url + ", expected " + expected);
                continue;
            }
            Path runbook = RuleFiles.root().resolve("docs/runbooks/" + a.name() + ".md");
            if (!Files.isRegularFile(runbook)) {
                bad.add(a.describe() + ": " + RuleFiles.root().relativize(runbook) + " does not exist");
                continue;
            }
            String text = Files.readString(runbook);
            for (String section : RUNBOOK_SECTIONS) {
                if (!text.contains("\n" + section + "\n")) {
                    bad.add(runbook.getFileName() + ": no '" + section + "' section");
                }
            }
            if (!text.contains("```promql\n")) {
                bad.add(runbook.getFileName() + ": '## Confirm' has no ```promql query");
            }
        }
        assertThat(bad).as("runbooks (docs/runbooks/<AlertName>.md with sections %s)", RUNBOOK_SECTIONS).isEmpty();
    }

    /**
     * Every alert needs a promtool case that sees it firing, one that sees it not (yet) firing, and, to prove "not
     * yet" means the condition holds and only for: is still running, an ALERTS{alertstate="pending"} check.
     */
    @Test
    void everyAlertIsCoveredByPromtoolTestsThatFireAndNotYet() {
        Set<String> fires = new HashSet<>();
        Set<String> silent = new HashSet<>();
        Set<String> pending = new HashSet<>();
        Pattern pendingAlert = Pattern.compile("alertname=\"(\\w+)\",alertstate=\"pending\"");
        for (JsonNode group : testGroups()) {
            for (JsonNode t : group.path("alert_rule_test")) {
                (t.path("exp_alerts").isEmpty() ? silent : fires).add(t.path("alertname").asText());
            }
            for (JsonNode t : group.path("promql_expr_test")) {
                for (JsonNode sample : t.path("exp_samples")) {
                    Matcher m = pendingAlert.matcher(sample.path("labels").asText());
                    if (m.find()) {
                        pending.add(m.group(1));
                    }
                }
            }
        }
        List<String> bad = new ArrayList<>();
        for (String name : alerts.stream().map(AlertRule::name).distinct().toList()) {
            if (!fires.contains(name)) {
                bad.add(name + ": no alert_rule_test with exp_alerts (fires)");
            }
            if (!silent.contains(name)) {
                bad.add(name + ": no alert_rule_test with empty exp_alerts (not yet, or healthy)");
            }
            if (!pending.contains(name)) {
                bad.add(name + ": no promql_expr_test expecting ALERTS{alertname=\"" + name
                        + "\",alertstate=\"pending\",...} (the not-yet case)");
            }
        }
        assertThat(bad).as("promtool tests in prometheus/tests").isEmpty();
    }

    @Test
    void everyRecordingRuleIsNamedLevelMetricOperations() {
        List<String> bad = new ArrayList<>();
        for (RecordingRule r : RuleFiles.recordingRules()) {
            if (!LEVEL_METRIC_OPERATIONS.matcher(r.record()).matches()) {
                bad.add(r.record() + ": not level:metric:operations");
            } else if (r.record().split(":")[1].endsWith("_total")) {
                bad.add(r.record() + ": drop _total from a counter's name once it is inside rate()");
            }
        }
        assertThat(bad).isEmpty();
    }

    @Test
    void everyRecordingRuleIsCheckedByAPromqlExprTest() {
        Set<String> tested = new HashSet<>();
        for (JsonNode group : testGroups()) {
            for (JsonNode t : group.path("promql_expr_test")) {
                if (!t.path("exp_samples").isEmpty()) {
                    tested.add(t.path("expr").asText());
                }
            }
        }
        assertThat(RuleFiles.recordingRules().stream().map(RecordingRule::record).distinct()
                .filter(name -> tested.stream().noneMatch(expr -> mentions(expr, name))))
                .as("recording rules that no promql_expr_test with exp_samples queries").isEmpty();
    }

    /**
     * promtool evaluates rule groups in an unspecified order unless a test file lists them all; recording rules
     * must come first so alerts read this evaluation's values, as Prometheus's one-interval lag is not what the tests
     * pin down.
     */
    @Test
    void everyTestFileEvaluatesRecordingRulesFirstAndListsEveryGroup() {
        List<String> expected = new ArrayList<>(RuleFiles.groupNames(true));
        List<String> alertGroups = RuleFiles.groupNames(false);
        List<String> bad = new ArrayList<>();
        for (Path file : RuleFiles.promtoolTestFiles()) {
            List<String> order = new ArrayList<>();
            RuleFiles.yaml(file).path("group_eval_order").forEach(g -> order.add(g.asText()));
            boolean recordingFirst = order.size() >= expected.size()
                    && order.subList(0, expected.size()).equals(expected);
            boolean complete = order.size() == expected.size() + alertGroups.size()
                    && order.containsAll(alertGroups);
            if (!recordingFirst || !complete) {
                bad.add(file.getFileName() + ": group_eval_order is " + order);
            }
        }
        assertThat(bad).as("every test file must list %s first, then every alert group of %s", expected, alertGroups)
                .isEmpty();
    }

    /** One row per rule in docs/alerts.md, with the rule's severity, for: and action, keeps the table true. */
    @Test
    void docsTableListsEveryAlertRuleWithItsSeverityForAndAction() throws IOException {
        List<String> rows = Files.readAllLines(RuleFiles.root().resolve("docs/alerts.md")).stream()
                .filter(l -> l.startsWith("| ")).toList();
        List<String> bad = new ArrayList<>();
        for (AlertRule a : alerts) {
            String action = a.label("recovery_action") == null ? "none" : "`" + a.label("recovery_action") + "`";
            List<String> cells = List.of("[" + a.name() + "]", "| " + a.label("severity") + " |",
                    "| " + a.forDuration() + " |", "| " + action + " |");
            if (rows.stream().noneMatch(row -> cells.stream().allMatch(row::contains))) {
                bad.add(a.describe() + " (for " + a.forDuration() + "): no row with " + cells);
            }
        }
        assertThat(bad).as("rows of the alert table in docs/alerts.md").isEmpty();
    }

    private List<String> offenders(java.util.function.Predicate<AlertRule> bad) {
        return alerts.stream().filter(bad).map(AlertRule::describe).toList();
    }

    /** The exp_labels of every firing case of {@code a}'s name whose severity and action match {@code a}'s. */
    private static List<Map<String, String>> firedLabels(AlertRule a) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode group : testGroups()) {
            for (JsonNode t : group.path("alert_rule_test")) {
                if (!a.name().equals(t.path("alertname").asText())) {
                    continue;
                }
                for (JsonNode alert : t.path("exp_alerts")) {
                    Map<String, String> labels = RuleFiles.strings(alert.path("exp_labels"));
                    if (a.labels().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
                        out.add(labels);
                    }
                }
            }
        }
        return out;
    }

    private static List<JsonNode> testGroups() {
        List<JsonNode> out = new ArrayList<>();
        for (Path file : RuleFiles.promtoolTestFiles()) {
            RuleFiles.yaml(file).path("tests").forEach(out::add);
        }
        return out;
    }

    /** Whether {@code expr} uses the metric {@code name} (a whole name, not a prefix of a longer one). */
    private static boolean mentions(String expr, String name) {
        return Pattern.compile("(?<![\\w:])" + Pattern.quote(name) + "(?![\\w:])").matcher(expr).find();
    }

    private static Duration duration(String prometheusDuration) {
        Matcher m = DURATION_PART.matcher(prometheusDuration);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                default -> Duration.ofDays(365 * n);
            });
            end = m.end();
        }
        assertThat(end).as("'%s' is a Prometheus duration", prometheusDuration).isEqualTo(prometheusDuration.length())
                .isPositive();
        return total;
    }
}
