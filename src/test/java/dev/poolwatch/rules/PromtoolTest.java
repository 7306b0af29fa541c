package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule files, their unit tests and prometheus.yml, as Prometheus's own promtool sees them. */
class PromtoolTest {

    @TempDir
    Path scratch;

    private final Tool promtool = Tool.require("promtool", "prometheus");

    @Test
    void ruleFilesPassPromtoolCheck() {
        List<String> args = new ArrayList<>(List.of("check", "rules"));
        RuleFiles.ruleFiles().forEach(f -> args.add(relative(f)));

        String out = promtool.runOk(scratch, args);

        assertThat(out).as("promtool checked the alerting and the recording rules").contains("SUCCESS")
                .contains("poolwatch.alerts.yml").contains("poolwatch.rules.yml");
    }

    @Test
    void rulesPassPromtoolUnitTests() {
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        List<Path> files = RuleFiles.promtoolTestFiles();
        files.forEach(f -> args.add(relative(f)));

        String out = promtool.runOk(scratch, args);

        assertThat(out.split("SUCCESS", -1)).as("one SUCCESS per test file in:\n%s", out).hasSize(files.size() + 1);
    }

    @Test
    void prometheusConfigPassesPromtoolCheck() {
        String out = promtool.runOk(scratch, List.of("check", "config", "prometheus/prometheus.yml"));

        assertThat(out).as("prometheus.yml loads both rule files through its rules/*.yml glob")
                .contains(RuleFiles.ruleFiles().size() + " rule files found");
    }

    private static String relative(Path file) {
        return RuleFiles.root().relativize(file).toString();
    }
}
