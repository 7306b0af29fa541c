package dev.poolwatch.rules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The repository's Prometheus and Alertmanager files, read as the tests need them. */
final class RuleFiles {

    static final String RUNBOOK_BASE_URL = "https://github.com/poolwatch/poolwatch/blob/main/docs/runbooks/";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private RuleFiles() {
    }

    /** One alerting rule and the group it is in. */
    record AlertRule(String group, String name, String forDuration, Map<String, String> labels,
                     Map<String, String> annotations) {

        String label(String key) {
            return labels.get(key);
        }

        String annotation(String key) {
            return annotations.get(key);
        }

        /** How the rule is told apart in messages: the name, and the labels when one name has several rules. */
        String describe() {
            return name + labels;
        }
    }

    /** One recording rule and the group it is in. */
    record RecordingRule(String group, String record, String expr) {
    }

    /**
     * The repository root: Maven runs tests there, an IDE may run them in a subdirectory, so look upwards for the
     * directory that holds prometheus/rules.
     */
    static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("prometheus/rules"))) {
                return p;
            }
        }
        throw new IllegalStateException("no prometheus/rules directory in " + Path.of("").toAbsolutePath()
                + " or above it: run the tests from the repository");
    }

    static Path alertsFile() {
        return root().resolve("prometheus/rules/poolwatch.alerts.yml");
    }

    static Path recordingRulesFile() {
        return root().resolve("prometheus/rules/poolwatch.rules.yml");
    }

    static List<Path> ruleFiles() {
        return yamlFilesIn(root().resolve("prometheus/rules"));
    }

    static List<Path> promtoolTestFiles() {
        return yamlFilesIn(root().resolve("prometheus/tests"));
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root().relativize(file), e);
        }
    }

    static List<AlertRule> alertRules() {
        List<AlertRule> out = new ArrayList<>();
        for (Path file : ruleFiles()) {
            for (JsonNode group : yaml(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("alert")) {
                        out.add(new AlertRule(group.path("name").asText(), rule.path("alert").asText(),
                                rule.hasNonNull("for") ? rule.get("for").asText() : null,
                                strings(rule.path("labels")), strings(rule.path("annotations"))));
                    }
                }
            }
        }
        return out;
    }

    static List<RecordingRule> recordingRules() {
        List<RecordingRule> out = new ArrayList<>();
        for (Path file : ruleFiles()) {
            for (JsonNode group : yaml(file).path("groups")) {
                for (JsonNode rule : group.path("rules")) {
                    if (rule.has("record")) {
                        out.add(new RecordingRule(group.path("name").asText(), rule.path("record").asText(),
                                rule.path("expr").asText()));
                    }
                }
            }
        }
        return out;
    }

    /** Every rule group name, recording groups first, each in file order. */
    static List<String> groupNames(boolean recording) {
        List<String> out = new ArrayList<>();
        for (Path file : ruleFiles()) {
            for (JsonNode group : yaml(file).path("groups")) {
                boolean hasRecording = false;
                for (JsonNode rule : group.path("rules")) {
                    hasRecording |= rule.has("record");
                }
                if (hasRecording == recording) {
                    out.add(group.path("name").asText());
                }
            }
        }
        return out;
    }

    static Map<String, String> strings(JsonNode map) {
        Map<String, String> out = new LinkedHashMap<>();
        map.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    static List<Path> yamlFilesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
