package dev.poolwatch.cli;

import dev.poolwatch.recovery.RecoverySettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The stack without Docker: the demo, plus Prometheus and Alertmanager from PATH with the repo's config. Grafana is
 * not part of it, so what it prints points at the pages that show the same loop.
 */
@Command(name = "stack", mixinStandardHelpOptions = true,
        description = {"Run the demo together with prometheus and alertmanager (from PATH) using this repository's"
                + " prometheus/ and alertmanager/ configuration, rewritten to loopback ports in a temp dir.",
                "There is no Grafana in this stack (docker compose has it): watch Prometheus's /alerts page,"
                + " Alertmanager's UI and the exporter's /api/events?kind=recovery instead.",
                "The write endpoints' token is --token-file, else POOLWATCH_TOKEN (saved to DIR/poolwatch-token),"
                + " else DIR/poolwatch-token, generated on first start.",
                "Ctrl-C or SIGTERM (kill PID) stops all three and removes the temp dir."})
final class StackCommand implements Callable<Integer> {

    @Mixin
    ExporterOptions exporter;

    @Mixin
    RecoveryOptions recovery;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "data",
            description = "Where demo.db, the event store and a generated token live (default: ./${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--repo", paramLabel = "DIR", defaultValue = ".",
            description = "The poolwatch repository holding prometheus/ and alertmanager/ (default: ${DEFAULT-VALUE}).")
    Path repo;

    @Option(names = "--prometheus-port", paramLabel = "PORT", defaultValue = "9090",
            description = "Prometheus's port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int prometheusPort;

    @Option(names = "--alertmanager-port", paramLabel = "PORT", defaultValue = "9093",
            description = "Alertmanager's port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int alertmanagerPort;

    @Option(names = "--rate", paramLabel = "OPS", defaultValue = "200",
            description = "Demo load in operations per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0s", converter = Durations.class,
            description = "Stop after this long; 0s runs until Ctrl-C (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--instances", paramLabel = "N", defaultValue = "1",
            description = "Run N demo instances (1 to 8), each with its own database, and two clustered"
                    + " Alertmanagers; see docs/fleet.md (default: ${DEFAULT-VALUE}).")
    int instances;

    @Override
    public Integer call() throws Exception {
        exporter.validate();
        RecoverySettings recoverySettings = recovery.settings();
        for (int port : new int[] {prometheusPort, alertmanagerPort}) {
            if (port < 1 || port > 65535) {
                throw new ParameterException(exporter.spec.commandLine(), "ports must be between 1 and 65535, was " + port);
            }
        }
        if (instances < 1 || instances > 8) {
            throw new ParameterException(exporter.spec.commandLine(), "--instances must be between 1 and 8, was "
                    + instances);
        }
        LocalStack.binary("Prometheus", "prometheus", "prometheus");
        LocalStack.binary("Alertmanager", "prometheus-alertmanager", "prometheus-alertmanager", "alertmanager");
        Files.createDirectories(dataDir);
        Path tokenFile = exporter.tokenFile;
        if (tokenFile == null) {
            String fromEnv = System.getenv("POOLWATCH_TOKEN");
            tokenFile = fromEnv != null && !fromEnv.isBlank()
                    ? Files.writeString(dataDir.resolve("poolwatch-token"), fromEnv.strip(), StandardCharsets.UTF_8)
                    : Files.exists(dataDir.resolve("poolwatch-token")) ? dataDir.resolve("poolwatch-token")
                    : generatedToken(dataDir);
            exporter.tokenFile = tokenFile;
        }
        PrintWriter out = exporter.spec.commandLine().getOut();
        if (instances > 1) {
            return serveFleet(recoverySettings, tokenFile, out);
        }
        DemoRuntime demo = DemoRuntime.start(dataDir, exporter.exporter(System.getenv()), recoverySettings,
                new DemoRuntime.LoadShape(4, rate, 70));
        LocalStack stack;
        try {
            stack = LocalStack.builder(repo, demo.watch.uri(), tokenFile).prometheusPort(prometheusPort)
                    .alertmanagerPort(alertmanagerPort).start();
        } catch (Exception e) {
            demo.close();
            throw e;
        }
        Lifecycle life = new Lifecycle(() -> {
            stack.close();
            demo.close();
            out.println("poolwatch stack stopped");
            out.flush();
        });
        String base = demo.watch.uri().toString();
        Path token = tokenFile.toAbsolutePath();
        out.println("poolwatch stack is up (no Grafana here: the pages below show the alert and the recovery):");
        out.println("  exporter      " + base + "/metrics");
        out.println("  alerts        " + stack.prometheus() + "/alerts  (pending, then firing)");
        out.println("  alertmanager  " + stack.alertmanagers().get(0) + "  (routed alerts)");
        out.println("  audit trail   " + base + "/api/events?kind=recovery");
        out.println("  token file    " + token);
        out.println("Inject a fault and watch the alert and the recovery:");
        out.println("  curl -X POST -H \"Authorization: Bearer $(cat " + token + ")\" " + base
                + "/api/demo/faults/leak");
        out.println("  curl '" + base + "/api/events?kind=recovery'");
        out.println("Press Ctrl-C (or send SIGTERM) to stop all three.");
        out.flush();
        life.serveFor(duration);
        return 0;
    }

    /** Instance k listens on --port + k (or any free port with --port 0). */
    private int serveFleet(RecoverySettings recoverySettings, Path tokenFile, PrintWriter out) throws Exception {
        FleetStack fleet = FleetStack.start(instances, dataDir, k -> exporter.exporter(System.getenv())
                        .port(exporter.port == 0 ? 0 : exporter.port + k), recoverySettings,
                new DemoRuntime.LoadShape(4, rate, 70), first -> LocalStack.builder(repo, first, tokenFile)
                        .prometheusPort(prometheusPort).alertmanagerPort(alertmanagerPort));
        Lifecycle life = new Lifecycle(() -> {
            fleet.close();
            out.println("poolwatch stack stopped");
            out.flush();
        });
        fleet.printTo(out, tokenFile);
        life.serveFor(duration);
        return 0;
    }

    /** A random token file readable only by its owner, for a stack started without one. */
    private static Path generatedToken(Path dir) throws IOException {
        Path f = dir.resolve("poolwatch-token");
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        Files.writeString(f, Base64.getUrlEncoder().withoutPadding().encodeToString(random));
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // No POSIX permissions on this file system: the file keeps the directory's defaults.
        }
        return f;
    }
}
