package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.rules.RuleFiles.AlertRule;
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
     * Routing from the labels the rules really set: an alert with a recovery_action reaches the webhook, a critical
     * one reaches a person, and an alert with neither stays in the default receiver.
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
            if (rule.label("recovery_action") != null) {
                expected.add(RECOVERY);
            }
            if ("critical".equals(rule.label("severity"))) {
                expected.add(ONCALL);
            }
            if (expected.isEmpty()) {
                expected.add(DEFAULT);
            }

            assertRoutes(labels, expected);
        }
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
