package dev.poolwatch.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Lints a scrape: with {@code promtool check metrics} when promtool is on PATH, otherwise with a built-in check of
 * the naming rules promtool applies (valid names, counters ending in {@code _total}, no type declared twice).
 */
final class MetricsLint {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** The problems found (empty when clean) and which linter ran. */
    record Result(String linter, List<String> problems) {
    }

    private MetricsLint() {
    }

    static Result lint(String scrape) {
        Path promtool = onPath("promtool");
        if (promtool != null) {
            try {
                return new Result("promtool check metrics", promtool(promtool, scrape));
            } catch (IOException e) {
                return new Result("built-in naming check (promtool failed to run: " + e.getMessage() + ")",
                        builtIn(scrape));
            }
        }
        return new Result("built-in naming check (promtool is not on PATH)", builtIn(scrape));
    }

    private static List<String> promtool(Path promtool, String scrape) throws IOException {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try {
            p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("promtool did not finish within 30 s");
            }
            List<String> problems = new ArrayList<>(out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
            if (p.exitValue() != 0 && problems.isEmpty()) {
                problems.add("promtool exited with " + p.exitValue());
            }
            return problems;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.destroyForcibly();
        }
    }

    static List<String> builtIn(String scrape) {
        List<String> problems = new ArrayList<>();
        List<String> typed = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                if (p.length < 4) {
                    problems.add("malformed TYPE line: " + line);
                    continue;
                }
                String name = p[2];
                if (!NAME.matcher(name).matches()) {
                    problems.add(name + ": not a valid metric name");
                }
                if (typed.contains(name)) {
                    problems.add(name + ": TYPE declared twice");
                }
                typed.add(name);
                if (p[3].equals("counter") && !name.endsWith("_total")) {
                    problems.add(name + ": counter metrics should have \"_total\" suffix");
                }
            }
        }
        return problems;
    }

    static Path onPath(String tool) {
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
