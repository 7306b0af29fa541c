package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Full PromQL grammar check of dashboard queries by Prometheus' own parser: each query, with Grafana's variables
 * replaced by plausible values, becomes a recording rule that {@code promtool check rules} must accept.
 */
final class Promtool {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)(?::\\w+)?}?");
    private static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "1m", "__interval", "30s", "__range", "1h", "__range_s", "3600");

    private Promtool() {
    }

    /** Returns promtool's complaints, empty when every query parses. */
    static List<String> syntaxErrors(List<DashboardLinter.Query> queries, Path workDir)
            throws IOException, InterruptedException {
        List<Map<String, Object>> groups = new ArrayList<>();
        for (DashboardLinter.Query q : queries) {
            groups.add(Map.of("name", q.where(),
                    "rules", List.of(Map.of("record", "dashboard_lint:query", "expr", substitute(q.expr())))));
        }
        Path rules = workDir.resolve("dashboard-queries.rules.yml");
        new ObjectMapper(new YAMLFactory()).writeValue(rules.toFile(), Map.of("groups", groups));

        Path log = workDir.resolve("promtool.log");
        Process process;
        try {
            process = new ProcessBuilder("promtool", "check", "rules", rules.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("promtool is not on PATH: install the Debian package 'prometheus' "
                    + "(apt-get install prometheus), which provides it", e);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("promtool did not finish within 60 s");
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() == 0) {
            return List.of();
        }
        List<String> errors = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.contains("could not parse") || line.contains("error")) {
                errors.add(line.trim());
            }
        }
        return errors.isEmpty() ? List.of(output.trim()) : errors;
    }

    static String substitute(String expr) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(BUILT_INS.getOrDefault(m.group(1), ".+")));
        }
        m.appendTail(out);
        return out.toString();
    }
}
