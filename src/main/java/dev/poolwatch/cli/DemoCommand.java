package dev.poolwatch.cli;

import dev.poolwatch.fleet.FleetOptions;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The main job: an embedded database under steady load, with the exporter serving its metrics. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Open (or create) a demo database, run a steady mixed read/write load on it and serve the"
                + " exporter. Ctrl-C stops the load, checkpoints the WAL and closes everything.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    ExporterOptions exporter;

    @Mixin
    RecoveryOptions recovery;

    @Mixin
    FleetOptions fleet;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Where demo.db and the event store live (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
            description = "Load threads, 1 to 64 (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--rate", paramLabel = "OPS", defaultValue = "200",
            description = "Target operations per second in total (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--read-percent", paramLabel = "PCT", defaultValue = "70",
            description = "Share of reads, 0 to 100 (default: ${DEFAULT-VALUE}).")
    int readPercent;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.class,
            description = "Stop after this long; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--report-every", paramLabel = "DURATION", defaultValue = "10s", converter = Durations.class,
            description = "How often a status line is printed (default: ${DEFAULT-VALUE}).")
    Duration reportEvery;

    @Override
    public Integer call() throws Exception {
        exporter.validate();
        if (workers < 1 || workers > 64) {
            throw new ParameterException(exporter.spec.commandLine(), "--workers must be between 1 and 64, was " + workers);
        }
        if (!(rate >= 0.1 && rate <= 100_000)) {
            throw new ParameterException(exporter.spec.commandLine(), "--rate must be between 0.1 and 100000, was " + rate);
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new ParameterException(exporter.spec.commandLine(), "--read-percent must be between 0 and 100, was "
                    + readPercent);
        }
        if (duration.isNegative() || reportEvery.compareTo(Duration.ofMillis(100)) < 0) {
            throw new ParameterException(exporter.spec.commandLine(), "--duration must be 0s or more and --report-every"
                    + " at least 100ms");
        }
        RecoverySettings recoverySettings = recovery.settings();
        PrintWriter out = exporter.spec.commandLine().getOut();
        DemoRuntime demo = DemoRuntime.start(dataDir, fleet.addTo(exporter.exporter(System.getenv())),
                recoverySettings, new DemoRuntime.LoadShape(workers, rate, readPercent));
        SqlitePool pool = demo.pool;
        PoolWatch watch = demo.watch;
        SteadyLoad load = demo.load;
        Lifecycle life = new Lifecycle(() -> {
            demo.close();
            out.printf(Locale.ROOT, "poolwatch demo stopped after %d operations (%d errors)%n", load.operations(),
                    load.errors());
            out.flush();
        });
        String base = watch.uri().toString();
        out.printf(Locale.ROOT, "poolwatch demo: database %s, load %d workers at %.0f ops/s (%d%% reads)%n",
                pool.config().path(), workers, rate, readPercent);
        out.println("  metrics   " + base + "/metrics");
        out.println("  ready     " + base + "/health/ready");
        out.println("  pools     " + base + "/api/pools");
        out.println("  events    " + base + "/api/events");
        out.println("  recovery  " + base + "/api/recovery (webhook: POST " + base + "/alertmanager/webhook)");
        out.println("  faults    POST " + base + "/api/demo/faults/{leak|lock|slow|wal_bloat}");
        out.println(watch.writesEnabled() ? "  write endpoints enabled (bearer token)"
                : "  write endpoints disabled: start with --token-file FILE or POOLWATCH_TOKEN to enable them");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        long deadline = duration.isZero() ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < deadline) {
            Duration step = duration.isZero() ? reportEvery
                    : Duration.ofNanos(Math.max(1, Math.min(reportEvery.toNanos(), deadline - System.nanoTime())));
            if (life.awaitSignal(step)) {
                break;
            }
            out.println(status(pool.stats(), load));
            out.flush();
        }
        life.stop();
        return 0;
    }

    private static String status(PoolStats s, SteadyLoad load) {
        return String.format(Locale.ROOT, "[demo] %d ops, %d errors; writer %d/%d active, readers %d/%d active"
                        + " (%d open), %d waiting; WAL %d KiB", load.operations(), load.errors(), s.writer().active(),
                s.writer().max(), s.reader().active(), s.reader().max(), s.reader().total(),
                s.writer().pending() + s.reader().pending(), s.walSizeBytes() / 1024);
    }
}
