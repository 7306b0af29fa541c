package dev.poolwatch.cli;

import dev.poolwatch.fleet.FleetOptions;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Serves the exporter for pools opened on existing (or new) database files, with no load of its own. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Open a pool on each --db file and serve the exporter for them until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @Mixin
    ExporterOptions exporter;

    @Mixin
    RecoveryOptions recovery;

    @Mixin
    FleetOptions fleet;

    @Option(names = "--db", paramLabel = "PATH[=NAME]", required = true, split = ",",
            description = "A database file to monitor, optionally named (default name: the file name without"
                    + " extension). Repeat for several.")
    List<String> databases;

    @Option(names = "--max-readers", paramLabel = "N", defaultValue = "19",
            description = "Reader limit of each pool (default: ${DEFAULT-VALUE}).")
    int maxReaders;

    @Option(names = "--acquire-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long callers wait for a connection (default: ${DEFAULT-VALUE}).")
    Duration acquireTimeout;

    @Option(names = "--leak-detection", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "Report connections held longer than this; 0s turns it off (default: ${DEFAULT-VALUE}).")
    Duration leakDetection;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.class,
            description = "Stop after this long; 0s serves until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        exporter.validate();
        RecoverySettings recoverySettings = recovery.settings();
        List<SqlitePoolConfig> configs = new ArrayList<>();
        for (String db : databases) {
            int eq = db.lastIndexOf('=');
            String file = eq > 0 ? db.substring(0, eq) : db;
            SqlitePoolConfig.Builder b = SqlitePoolConfig.builder(Path.of(file)).maxReaders(maxReaders)
                    .acquireTimeout(acquireTimeout).leakDetectionThreshold(leakDetection);
            if (eq > 0) {
                b.name(db.substring(eq + 1));
            }
            try {
                configs.add(b.build());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(exporter.spec.commandLine(), "--db " + db + ": " + e.getMessage());
            }
        }
        List<SqlitePool> pools = new ArrayList<>();
        PoolWatch watch;
        try {
            for (SqlitePoolConfig c : configs) {
                pools.add(SqlitePool.open(c));
            }
            watch = fleet.addTo(exporter.exporter(System.getenv(), pools.toArray(new SqlitePool[0])))
                    .extension(new RecoveryRoutes(recoverySettings)).start();
        } catch (Exception e) {
            pools.forEach(SqlitePool::close);
            throw e;
        }
        Lifecycle life = new Lifecycle(() -> {
            watch.close();
            pools.forEach(SqlitePool::close);
        });
        PrintWriter out = exporter.spec.commandLine().getOut();
        out.println("poolwatch serving " + pools.stream().map(SqlitePool::name).toList() + " at " + watch.uri()
                + "/metrics; Ctrl-C stops.");
        out.flush();
        life.serveFor(duration);
        return 0;
    }
}
