package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.poolwatch.rules.AlertMutants.Mutant;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tests that pass with broken rules are no tests: every alert's numbers, windows, {@code for:}, comparisons and
 * clauses are mutated one at a time (AlertMutants) and the promtool tests of that alert must fail for each mutant.
 * Prints the score and every survivor.
 */
class RuleMutationTest {

    /** Equivalent mutants exist (a median of 13 samples is the 7th whether the quantile is 0.45 or 0.5). */
    private static final double REQUIRED_SCORE = 0.95;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String RECORDING_GROUP = "sqlite-pool.rules";

    @TempDir
    Path scratch;

    private final Tool promtool = Tool.require("promtool", "prometheus");

    private enum Verdict { KILLED, SURVIVED, INVALID }

    private record Result(Mutant mutant, Verdict verdict) {
    }

    @Test
    void everyAlertMutantIsKilledByThePromtoolTests() throws Exception {
        String alerts = Files.readString(RuleFiles.alertsFile());
        List<Mutant> mutants = AlertMutants.of(alerts);
        assertThat(mutants).as("mutants of %s", RuleFiles.alertsFile().getFileName()).hasSizeGreaterThan(100);
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger n = new AtomicInteger();
        List<Future<Result>> futures = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (Mutant m : mutants) {
                futures.add(pool.submit(() -> run(m, n.incrementAndGet())));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                results.add(get(f));
            }
            report(results, (System.nanoTime() - started) / 1_000_000_000.0);
        } finally {
            pool.shutdownNow();
        }
    }

    private void report(List<Result> results, double seconds) {
        List<Result> valid = results.stream().filter(r -> r.verdict() != Verdict.INVALID).toList();
        List<String> survivors = valid.stream().filter(r -> r.verdict() == Verdict.SURVIVED)
                .map(r -> r.mutant().alert() + ": " + r.mutant().change()).toList();
        long killed = valid.size() - survivors.size();
        double score = (double) killed / valid.size();
        System.out.printf("rule mutation score: %d of %d mutants killed (%.1f %%), %d invalid, in %.0f s%n", killed,
                valid.size(), 100 * score, results.size() - valid.size(), seconds);
        survivors.forEach(s -> System.out.println("  survived: " + s));

        assertThat(results.size() - valid.size()).as("mutants promtool could not load").isLessThan(results.size() / 10);
        assertThat(score).as("share of mutants the promtool tests kill; survivors:%n%s", String.join("\n", survivors))
                .isGreaterThanOrEqualTo(REQUIRED_SCORE);
    }

    /**
     * Runs the promtool tests of the mutant's alert against a rules directory holding the mutant. To keep a run short
     * (promtool's cost is per evaluation step and rule), it holds only the mutated alert's group and the recording
     * rules that group and its tests read, and only the test groups that name the alert.
     */
    private Result run(Mutant m, int id) throws IOException {
        Path dir = Files.createDirectories(scratch.resolve("m" + id));
        String name = m.alert().substring(0, m.alert().indexOf(' '));
        JsonNode alertGroup = null;
        for (JsonNode g : YAML.readTree(m.text()).path("groups")) {
            for (JsonNode r : g.path("rules")) {
                alertGroup = name.equals(r.path("alert").asText()) ? g : alertGroup;
            }
        }
        assertThat(alertGroup).as("the group of %s", name).isNotNull();
        List<Path> tests = new ArrayList<>();
        StringBuilder read = new StringBuilder(alertGroup.toString());
        Path rules = dir.resolve("rules.yml");
        for (Path t : RuleFiles.promtoolTestFiles()) {
            ObjectNode file = (ObjectNode) RuleFiles.yaml(t);
            ArrayNode kept = YAML.createArrayNode();
            file.path("tests").forEach(g -> {
                String json = g.toString();
                if (json.contains("\"alertname\":\"" + name + "\"") || json.contains("alertname=\\\"" + name + "\\\"")) {
                    kept.add(g);
                    read.append(g);
                }
            });
            if (!kept.isEmpty()) {
                file.set("tests", kept);
                file.putArray("rule_files").add(rules.toString());
                file.putArray("group_eval_order").add(RECORDING_GROUP).add(alertGroup.path("name").asText());
                tests.add(Files.writeString(dir.resolve(t.getFileName()), YAML.writeValueAsString(file)));
            }
        }
        assertThat(tests).as("promtool tests of %s", name).isNotEmpty();
        Files.writeString(rules, YAML.writeValueAsString(YAML.createObjectNode().set("groups",
                YAML.createArrayNode().add(recordingRulesRead(read.toString())).add(alertGroup))));
        List<String> args = new ArrayList<>(List.of("test", "rules"));
        tests.forEach(t -> args.add(t.toString()));
        Tool.Result r = promtool.run(dir, args);
        // promtool names the rule file when it cannot load it; a test failure names the test.
        Verdict v = r.exitCode() == 0 ? Verdict.SURVIVED
                : r.output().contains(rules + ":") ? Verdict.INVALID : Verdict.KILLED;
        deleteTree(dir);
        return new Result(m, v);
    }

    /** The recording group with only the rules {@code text} reads, directly or through another kept rule. */
    private static ObjectNode recordingRulesRead(String text) {
        JsonNode group = RuleFiles.yaml(RuleFiles.recordingRulesFile()).path("groups").path(0);
        List<JsonNode> all = new ArrayList<>();
        group.path("rules").forEach(all::add);
        java.util.Set<String> needed = new java.util.HashSet<>();
        StringBuilder reading = new StringBuilder(text);
        for (boolean grew = true; grew; ) {
            grew = false;
            for (JsonNode r : all) {
                String record = r.path("record").asText();
                if (!needed.contains(record) && reading.indexOf(record) >= 0) {
                    needed.add(record);
                    reading.append(r.path("expr").asText());
                    grew = true;
                }
            }
        }
        ObjectNode out = ((ObjectNode) group).deepCopy();
        ArrayNode rules = out.putArray("rules");
        all.stream().filter(r -> needed.contains(r.path("record").asText())).forEach(rules::add);
        return out;
    }

    private static Result get(Future<Result> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a mutant could not be run", e.getCause());
        }
    }

    private static void deleteTree(Path dir) {
        try (var all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
