package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.rules.RuleFiles.AlertRule;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * alertmanager.yml as amtool sees it: valid, and routing every case of alertmanager/tests/routes.yml and every
 * shipped alert to the receivers it should reach.
 *
 * <p>amtool validates the webhooks' credentials_file setting without opening the file (Alertmanager reads it on each
 * send), so the shipped config is checked as it is, without the secret that only the running stack mounts.
 */
class AlertmanagerConfigTest {

    private static final String CONFIG = "alertmanager/alertmanager.yml";
    private static final String RECOVERY = "poolwatch-recovery";
    private static final String ONCALL = "oncall";
    private static final String DEFAULT = "default";
    private static final String WATCHDOG = "watchdog";
    private static final String WATCHED = "poolwatch:9464";
    /** Warnings no automatic action answers, or that say the automatic actions or the monitoring failed. */
    private static final Set<String> PERSON_WARNINGS = Set.of("SqlitePoolRecoveryFailing",
            "SqlitePoolRecoveryCircuitOpen", "SqlitePoolMetricsAbsent", "SqlitePoolAcquireTimeouts",
            "SqlitePoolAlertNotificationsFailing", "SqlitePoolRuleEvaluationFailing");

    @TempDir
    Path scratch;

    private final Tool amtool = Tool.require("amtool", "prometheus-alertmanager");

    @Test
    void configPassesAmtoolCheck() {
        String out = amtool.runOk(scratch, List.of("check-config", CONFIG));

        assertThat(out).contains("SUCCESS").contains("2 inhibit rules").contains(receivers().size() + " receivers");
    }

    @TestFactory
    Stream<DynamicTest> everyRouteCaseReachesItsReceivers() {
        return routeCases().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> assertRoutes(c.labels(), c.receivers())));
    }

    @Test
    void everyReceiverIsReachedByARouteCase() {
        Set<String> reached = new LinkedHashSet<>();
        routeCases().forEach(c -> reached.addAll(c.receivers()));

        assertThat(reached).as("receivers reached by the cases of alertmanager/tests/routes.yml")
                .containsExactlyInAnyOrderElementsOf(receivers());
    }

    /**
     * Routing from the labels the rules really set: an alert with a recovery_action reaches the webhook; a person
     * hears of every critical alert, every warning the webhook acts on and every failed self-healing; the Watchdog
     * goes only to the dead man's switch; the rest stays in the default receiver.
     */
    @Test
    void everyShippedAlertReachesTheReceiversItsLabelsPromise() {
        for (AlertRule rule : RuleFiles.alertRules()) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("alertname", rule.name());
            labels.putAll(rule.labels());
            labels.put("pool", "orders");
            labels.put("instance", "poolwatch:9464");
            labels.put("job", "poolwatch");
            List<String> expected = new ArrayList<>();
            String severity = rule.label("severity");
            boolean acts = rule.label("recovery_action") != null;
            if (rule.name().equals("SqlitePoolWatchdog")) {
                expected.add(WATCHDOG);
            }
            if (acts) {
                expected.add(RECOVERY);
            }
            if ("critical".equals(severity) || PERSON_WARNINGS.contains(rule.name())
                    || ("warning".equals(severity) && acts)) {
                expected.add(ONCALL);
            }
            if (expected.isEmpty()) {
                expected.add(DEFAULT);
            }

            assertRoutes(labels, expected);
        }
    }

    /**
     * The receiver of SqlitePoolExporterDown must not need the exporter: at least one of its integrations posts
     * somewhere else than the watched process (or is not a webhook at all).
     */
    @Test
    void thePathToAPersonDoesNotGoThroughTheWatchedProcess() {
        List<JsonNode> found = new ArrayList<>();
        RuleFiles.yaml(RuleFiles.root().resolve(CONFIG)).path("receivers").forEach(r -> {
            if (ONCALL.equals(r.path("name").asText())) {
                found.add(r);
            }
        });
        assertThat(found).as("receiver %s", ONCALL).hasSize(1);
        JsonNode oncall = found.get(0);
        List<String> independent = new ArrayList<>();
        oncall.fieldNames().forEachRemaining(integration -> {
            if (integration.endsWith("_configs")) {
                oncall.path(integration).forEach(c -> {
                    String url = c.path("url").asText("");
                    if (!integration.equals("webhook_configs") || !URI.create(url).getAuthority().equals(WATCHED)) {
                        independent.add(integration + " " + url);
                    }
                });
            }
        });

        assertThat(independent).as("integrations of %s that do not post to %s", ONCALL, WATCHED).isNotEmpty();
        assertRoutes(Map.of("alertname", "SqlitePoolExporterDown", "severity", "critical", "instance", WATCHED,
                "job", "poolwatch"), List.of(ONCALL));
    }

    private void assertRoutes(Map<String, String> labels, List<String> receivers) {
        List<String> args = new ArrayList<>(List.of("config", "routes", "test", "--config.file=" + CONFIG,
                "--verify.receivers=" + String.join(",", receivers)));
        labels.forEach((k, v) -> args.add(k + "=" + v));

        Tool.Result r = amtool.run(scratch, args);

        assertThat(r.exitCode()).as("alert %s should reach %s; amtool says:%n%s", labels, receivers, r.output())
                .isZero();
    }

    private record RouteCase(String name, Map<String, String> labels, List<String> receivers) {
    }

    private static List<RouteCase> routeCases() {
        List<RouteCase> out = new ArrayList<>();
        for (JsonNode c : RuleFiles.yaml(RuleFiles.root().resolve("alertmanager/tests/routes.yml")).path("cases")) {
            List<String> receivers = new ArrayList<>();
            c.path("receivers").forEach(r -> receivers.add(r.asText()));
            out.add(new RouteCase(c.path("name").asText(), RuleFiles.strings(c.path("labels")), receivers));
        }
        assertThat(out).as("cases in alertmanager/tests/routes.yml").isNotEmpty();
        return out;
    }

    private static List<String> receivers() {
        List<String> out = new ArrayList<>();
        RuleFiles.yaml(RuleFiles.root().resolve(CONFIG)).path("receivers").forEach(r -> out.add(r.path("name").asText()));
        return out;
    }
}
