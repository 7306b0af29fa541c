package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prometheus/rules/*.yml are generated from mixin/ and checked in: regenerating them with the real jsonnet must give
 * the same bytes, so an edit of a generated file (or of the mixin without regenerating) fails here.
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
}
