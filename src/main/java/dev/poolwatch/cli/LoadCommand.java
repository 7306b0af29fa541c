package dev.poolwatch.cli;

import dev.poolwatch.load.LoadReport;
import dev.poolwatch.load.LoadRunner;
import dev.poolwatch.load.Scenario;
import dev.poolwatch.load.ScenarioResult;
import dev.poolwatch.load.WriteMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Concurrent load scenarios against a poolwatch pool, with a report and CI gates. */
@Command(name = "load", mixinStandardHelpOptions = true,
        description = "Run load scenarios (light, medium, heavy, extreme, write-heavy, burst, or all) of bot"
                + " operations against a pool; print a report, optionally write it as JSON and CSV, and check"
                + " gates. Exit codes: 0 ok, 2 bad usage, 3 a gate was missed, 4 the integrity check failed.",
        footer = {"", "Scenarios: light 5 workers 30s, medium 10 60s, heavy 15 120s, extreme 25 180s,"
                + " write-heavy 15 60s with 70%% writes, burst 25 workers released at once repeatedly for 60s."})
final class LoadCommand implements Callable<Integer> {

    static final int GATE_MISSED = 3;
    static final int INTEGRITY_FAILED = 4;

    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", paramLabel = "NAME", defaultValue = "light",
            description = "A scenario name or 'all' (default: ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--workers", paramLabel = "N", description = "Override the scenario's worker count (1 to 256).")
    Integer workers;

    @Option(names = "--duration", paramLabel = "DURATION", converter = Durations.class,
            description = "Override the scenario's duration (e.g. 10s).")
    Duration duration;

    @Option(names = "--read-percent", paramLabel = "PCT",
            description = "Override the share of reads, 30 to 80.")
    Integer readPercent;

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "plain",
            description = "How writes are issued: plain (pool.write, one transaction each) or batched"
                    + " (pool.writeBatched, group commit) (default: ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--db", paramLabel = "PATH", defaultValue = "data/load.db",
            description = "Database to load (created if missing; default: ${DEFAULT-VALUE}).")
    Path db;

    @Option(names = "--max-readers", paramLabel = "N", defaultValue = "19",
            description = "Reader limit of the pool (default: ${DEFAULT-VALUE}).")
    int maxReaders;

    @Option(names = "--out", paramLabel = "DIR", description = "Write load-report.json and load-report.csv here.")
    Path out;

    @Option(names = "--max-error-rate", paramLabel = "RATE",
            description = "Gate: fail (exit 3) if any scenario's error rate is above this, e.g. 1%% or 0.01.")
    String maxErrorRate;

    @Option(names = "--max-p99-acquire", paramLabel = "DURATION", converter = Durations.class,
            description = "Gate: fail (exit 3) if any scenario's p99 acquire time is above this, e.g. 50ms.")
    Duration maxP99Acquire;

    @Option(names = "--port", paramLabel = "PORT",
            description = "Also serve the exporter on this port during the run, so Prometheus and Grafana see it.")
    Integer port;

    @Override
    public Integer call() throws Exception {
        List<Scenario> scenarios = scenarios();
        WriteMode writeMode = WriteMode.named(mode);
        if (writeMode == null) {
            throw new ParameterException(spec.commandLine(), "--mode must be plain or batched, was '" + mode + "'");
        }
        double errorGate = maxErrorRate == null ? Double.NaN : parseRate(maxErrorRate);
        checkOut();
        PrintWriter o = spec.commandLine().getOut();
        boolean terminal = System.console() != null;
        List<ScenarioResult> results = new ArrayList<>();
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("load").maxReaders(maxReaders)
                .build())) {
            PoolWatch watch = port == null ? null : PoolWatch.builder().pool(pool).port(port).start();
            try {
                LoadRunner runner = new LoadRunner(pool, writeMode);
                for (Scenario s : scenarios) {
                    o.printf(Locale.ROOT, "running %s: %d workers, %d s, %d%% reads%s, %s writes%n", s.name(),
                            s.workers(), s.duration().toSeconds(), s.readPercent(), s.burst() ? ", bursts" : "",
                            writeMode.tag());
                    o.flush();
                    results.add(runner.run(s, progress(o, terminal)));
                    if (terminal) {
                        o.println();
                    }
                }
            } finally {
                if (watch != null) {
                    watch.close();
                }
            }
        }
        o.println();
        o.print(LoadReport.table(results));
        if (out != null) {
            LoadReport.write(results, out);
            o.println("report written to " + out.resolve("load-report.json") + " and load-report.csv");
        }
        o.flush();
        int code = 0;
        for (ScenarioResult r : results) {
            if (!r.integrityOk()) {
                spec.commandLine().getErr().printf(Locale.ROOT, "integrity check FAILED in %s: %d acknowledged writes"
                        + " missing, %d unacknowledged writes present%n", r.scenario().name(), r.missingWrites(),
                        r.unexpectedWrites());
                code = INTEGRITY_FAILED;
            }
        }
        if (code == 0) {
            for (ScenarioResult r : results) {
                if (!Double.isNaN(errorGate) && r.errorRate() > errorGate) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "gate missed in %s: error rate %.3f%% > %.3f%%%n",
                            r.scenario().name(), r.errorRate() * 100, errorGate * 100);
                    code = GATE_MISSED;
                }
                if (maxP99Acquire != null && r.acquire().p99() > maxP99Acquire.toNanos()) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "gate missed in %s: p99 acquire %.2f ms > %d ms%n",
                            r.scenario().name(), r.acquire().p99() / 1e6, maxP99Acquire.toMillis());
                    code = GATE_MISSED;
                }
            }
        }
        spec.commandLine().getErr().flush();
        return code;
    }

    private List<Scenario> scenarios() {
        List<Scenario> base;
        if (scenario.equalsIgnoreCase("all")) {
            base = Scenario.BUILT_IN;
        } else {
            Scenario s = Scenario.named(scenario);
            if (s == null) {
                throw new ParameterException(spec.commandLine(), "--scenario must be one of "
                        + Scenario.BUILT_IN.stream().map(Scenario::name).toList() + " or all, was '" + scenario + "'");
            }
            base = List.of(s);
        }
        if (readPercent != null && (readPercent < 30 || readPercent > 80)) {
            throw new ParameterException(spec.commandLine(), "--read-percent must be between 30 and 80, was "
                    + readPercent);
        }
        if (maxReaders < 1 || maxReaders > 1000) {
            throw new ParameterException(spec.commandLine(), "--max-readers must be between 1 and 1000, was " + maxReaders);
        }
        List<Scenario> out = new ArrayList<>();
        for (Scenario s : base) {
            try {
                Scenario x = s;
                if (workers != null) {
                    x = x.withWorkers(workers);
                }
                if (duration != null) {
                    x = x.withDuration(duration);
                }
                if (readPercent != null) {
                    x = x.withReadPercent(readPercent);
                }
                out.add(x);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        return out;
    }

    /** The reports are written after the run, so a place that cannot take them is refused before it. */
    private void checkOut() {
        if (out == null) {
            return;
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + " is a file; give a directory to write"
                    + " load-report.json and load-report.csv in");
        }
        Path existing = out.toAbsolutePath();
        while (!Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (!Files.isDirectory(existing) || !Files.isWritable(existing)) {
            throw new ParameterException(spec.commandLine(), "--out " + out + ": " + existing
                    + " is not a writable directory, so the reports could not be written there");
        }
    }

    private double parseRate(String s) {
        try {
            String v = s.strip();
            double r = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 100 : Double.parseDouble(v);
            if (r < 0 || r > 1) {
                throw new NumberFormatException();
            }
            return r;
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--max-error-rate must be a rate such as 1% or 0.01,"
                    + " was '" + s + "'");
        }
    }

    private static Consumer<LoadRunner.Progress> progress(PrintWriter o, boolean terminal) {
        long[] lastPrint = {0};
        return p -> {
            double total = p.scenario().duration().toMillis() / 1000.0;
            if (terminal) {
                int width = 30;
                int done = (int) Math.min(width, Math.round(width * p.elapsedSeconds() / total));
                o.printf(Locale.ROOT, "\r[%s%s] %5.0f/%.0f s %9.0f ops/s %6d errors p99 %7.2f ms ", "#".repeat(done),
                        " ".repeat(width - done), Math.min(p.elapsedSeconds(), total), total, p.opsPerSecond(),
                        p.errors(), p.p99Nanos() / 1e6);
                o.flush();
            } else if (p.elapsedSeconds() - lastPrint[0] >= 5) {
                lastPrint[0] = (long) p.elapsedSeconds();
                o.printf(Locale.ROOT, "  %s %.0f/%.0f s: %.0f ops/s, %d errors, p99 %.2f ms%n", p.scenario().name(),
                        p.elapsedSeconds(), total, p.opsPerSecond(), p.errors(), p.p99Nanos() / 1e6);
                o.flush();
            }
        };
    }
}
