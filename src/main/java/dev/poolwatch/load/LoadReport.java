package dev.poolwatch.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Presents scenario results: a table for people, JSON and CSV for tools. */
public final class LoadReport {
    private LoadReport() {
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** A fixed-width table, one row per scenario. */
    public static String table(List<ScenarioResult> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-12s %-7s %7s %5s %10s %10s %10s %8s %9s %9s %9s %9s %9s %9s %9s %s%n",
                "scenario", "mode", "workers", "read%", "ops/s", "reads/s", "writes/s", "errors", "err-rate",
                "acq-p50", "acq-p99", "acq-max", "op-p50", "op-p95", "op-p99", "integrity"));
        for (ScenarioResult r : results) {
            sb.append(String.format(Locale.ROOT,
                    "%-12s %-7s %7d %5d %10.0f %10.0f %10.0f %8d %8.3f%% %9s %9s %9s %9s %9s %9s %s%n",
                    r.scenario().name(), r.mode().tag(), r.scenario().workers(), r.scenario().readPercent(), r.opsPerSecond(),
                    r.readsPerSecond(), r.writesPerSecond(), r.errors(), r.errorRate() * 100,
                    ms(r.acquire().p50()), ms(r.acquire().p99()), ms(r.acquire().max()), ms(r.operation().p50()),
                    ms(r.operation().p95()), ms(r.operation().p99()),
                    r.integrityOk() ? "ok (" + r.acknowledgedWrites() + " writes)"
                            : "FAILED (" + r.missingWrites() + " missing, " + r.unexpectedWrites() + " unexpected)"));
        }
        sb.append("latencies in ms; acq = waiting for a connection (batched writes: for their batch to start), op = the"
                + " whole operation\n");
        results.stream().filter(r -> r.mode() == WriteMode.BATCHED).forEach(r -> sb.append(String.format(Locale.ROOT,
                "%s batched: %d writes in %d committed batches, %.1f writes per batch%n", r.scenario().name(),
                r.writes(), r.batches(), r.meanBatchSize())));
        results.stream().filter(r -> !r.errorsByKind().isEmpty()).forEach(r -> sb.append(r.scenario().name())
                .append(" errors by kind: ").append(r.errorsByKind()).append('\n'));
        return sb.toString();
    }

    static Map<String, Object> row(ScenarioResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario().name());
        m.put("workers", r.scenario().workers());
        m.put("readPercent", r.scenario().readPercent());
        m.put("burst", r.scenario().burst());
        m.put("mode", r.mode().tag());
        m.put("batches", r.batches());
        m.put("meanBatchSize", r.meanBatchSize());
        m.put("seconds", r.seconds());
        m.put("reads", r.reads());
        m.put("writes", r.writes());
        m.put("opsPerSecond", r.opsPerSecond());
        m.put("readsPerSecond", r.readsPerSecond());
        m.put("writesPerSecond", r.writesPerSecond());
        m.put("errors", r.errors());
        m.put("errorRate", r.errorRate());
        m.put("errorsByKind", r.errorsByKind());
        m.put("acquireP50Ms", r.acquire().p50() / 1e6);
        m.put("acquireP95Ms", r.acquire().p95() / 1e6);
        m.put("acquireP99Ms", r.acquire().p99() / 1e6);
        m.put("acquireMaxMs", r.acquire().max() / 1e6);
        m.put("operationP50Ms", r.operation().p50() / 1e6);
        m.put("operationP95Ms", r.operation().p95() / 1e6);
        m.put("operationP99Ms", r.operation().p99() / 1e6);
        m.put("operationMaxMs", r.operation().max() / 1e6);
        m.put("integrityOk", r.integrityOk());
        m.put("acknowledgedWrites", r.acknowledgedWrites());
        m.put("missingWrites", r.missingWrites());
        m.put("unexpectedWrites", r.unexpectedWrites());
        return m;
    }

    /** Writes {@code load-report.json} and {@code load-report.csv} into {@code dir}. */
    public static void write(List<ScenarioResult> results, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Object>> rows = results.stream().map(LoadReport::row).toList();
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("load-report.json").toFile(), Map.of("scenarios", rows));
        StringBuilder csv = new StringBuilder(String.join(",", rows.get(0).keySet())).append("\r\n");
        for (Map<String, Object> row : rows) {
            csv.append(row.values().stream().map(v -> v instanceof Map ? "\"" + v.toString().replace("\"", "\"\"")
                    + "\"" : String.valueOf(v)).collect(Collectors.joining(","))).append("\r\n");
        }
        Files.writeString(dir.resolve("load-report.csv"), csv.toString());
    }
}
