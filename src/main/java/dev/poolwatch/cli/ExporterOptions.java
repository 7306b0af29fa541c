package dev.poolwatch.cli;

import dev.poolwatch.metrics.MetricsOptions;
import dev.poolwatch.integrity.IntegritySchedule;
import dev.poolwatch.integrity.ScheduledIntegrityChecks;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The options every serving command shares: where to listen, the write token, logging, the config file. */
final class ExporterOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "9464",
            description = "TCP port of the exporter, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, loopback only; 0.0.0.0 for all).")
    String bind;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the bearer token for write endpoints; POOLWATCH_TOKEN may hold the token"
                    + " itself. Without a token, write endpoints answer 403.")
    Path tokenFile;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--event-retention", paramLabel = "DURATION", defaultValue = "24h",
            converter = Durations.class, description = "How long events are kept (default: ${DEFAULT-VALUE}).")
    Duration eventRetention;

    @Option(names = "--metrics-names", paramLabel = "NAMES", split = ",",
            description = "Also publish the pools' metrics under other projects' names: hikaricp (HikariCP's"
                    + " hikaricp_connections_*), otel (OpenTelemetry's db_client_connection_*), comma-separated.")
    List<String> metricsNames = List.of();

    @Option(names = "--compact-histograms",
            description = "8 histogram buckets instead of 17, for processes with many pools (docs/metrics.md).")
    boolean compactHistograms;
    @Option(names = "--integrity-check-period", paramLabel = "DURATION", defaultValue = "1h",
            converter = Durations.class, description = "How often each database gets a PRAGMA quick_check on a reader;"
                    + " 0s turns the checks off (default: ${DEFAULT-VALUE}).")
    Duration integrityPeriod;

    @Option(names = "--integrity-check-budget", paramLabel = "DURATION", defaultValue = "30s",
            converter = Durations.class, description = "Longest time one quick_check may run before it is stopped"
                    + " as incomplete (default: ${DEFAULT-VALUE}).")
    Duration integrityBudget;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A .properties or .yaml file of option defaults (keys are option names).")
    Path config;

    /** Checks the shared options and sets up logging; throws a usage error naming the option. */
    void validate() {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be between 0 and 65535, was " + port);
        }
        if (!logFormat.equals("text") && !logFormat.equals("json")) {
            throw new ParameterException(spec.commandLine(), "--log-format must be text or json, was '" + logFormat + "'");
        }
        if (eventRetention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new ParameterException(spec.commandLine(), "--event-retention must be at least 1m, was " + eventRetention);
        }
        for (String name : metricsNames) {
            if (!name.equals("hikaricp") && !name.equals("otel")) {
                throw new ParameterException(spec.commandLine(), "--metrics-names must list hikaricp and/or otel,"
                        + " was '" + name + "'");
            }
        }
        if (!integrityPeriod.isZero()) {
            integritySchedule();
        }
        Logging.use(logFormat.equals("json") ? Logging.Format.JSON : Logging.Format.TEXT);
    }

    MetricsOptions metricsOptions() {
        return MetricsOptions.builder().compactHistograms(compactHistograms)
                .hikariCpNames(metricsNames.contains("hikaricp")).openTelemetryNames(metricsNames.contains("otel"))
                .build();
    }

    /** The token from --token-file, else POOLWATCH_TOKEN, else null (writes disabled). */
    String token(Map<String, String> env) {
        if (tokenFile != null) {
            return readToken(spec, tokenFile);
        }
        String t = env.get("POOLWATCH_TOKEN");
        return t == null || t.isBlank() ? null : t.strip();
    }

    /** The token in {@code file}, or a usage error saying why there is none. */
    static String readToken(CommandSpec spec, Path file) {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--token-file " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "--token-file " + file + " cannot be read: " + e);
        }
    }

    PoolWatch.Builder exporter(Map<String, String> env, SqlitePool... pools) {
        PoolWatch.Builder b = PoolWatch.builder().port(port).bind(bind).token(token(env)).metrics(metricsOptions())
                .eventSettings(new dev.poolwatch.store.EventStore.Settings(10_000, eventRetention));
        for (SqlitePool p : pools) {
            b.pool(p);
        }
        if (!integrityPeriod.isZero()) {
            b.extension(new ScheduledIntegrityChecks(integritySchedule()));
        }
        return b;
    }

    private IntegritySchedule integritySchedule() {
        try {
            return new IntegritySchedule(integrityPeriod, integrityBudget);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--integrity-check-period/--integrity-check-budget: "
                    + e.getMessage());
        }
    }
}
