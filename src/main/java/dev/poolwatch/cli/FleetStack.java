package dev.poolwatch.cli;

import dev.poolwatch.fleet.FleetRoutes;
import dev.poolwatch.fleet.FleetSettings;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * {@code poolwatch stack --instances N}: N demo instances, each with its own database under DATA/instance-K, one
 * Prometheus scraping all of them and two clustered Alertmanagers posting recovery alerts to the first instance's
 * relay, which forwards each alert to the instance it names. What docker-compose's fleet profile runs, without Docker.
 */
final class FleetStack implements AutoCloseable {

    private final List<DemoRuntime> instances;
    private final LocalStack stack;

    private FleetStack(List<DemoRuntime> instances, LocalStack stack) {
        this.instances = instances;
        this.stack = stack;
    }

    /**
     * @param exporter a new exporter builder for instance k (0-based), listening where that instance should
     * @param stack the local stack's settings, given the first instance's address (its webhook target)
     */
    static FleetStack start(int n, Path dataDir, IntFunction<PoolWatch.Builder> exporter, RecoverySettings recovery,
                            DemoRuntime.LoadShape shape, Function<URI, LocalStack.Builder> stack)
            throws Exception {
        List<DemoRuntime> started = new ArrayList<>();
        // Filled once every instance listens (ports may be 0); the relay reads it per delivery.
        List<String> peers = new ArrayList<>();
        AtomicReference<Set<String>> directory = new AtomicReference<>(Set.of());
        try {
            for (int k = 0; k < n; k++) {
                Path home = Files.createDirectories(dataDir.resolve("instance-" + (k + 1)));
                FleetRoutes fleet = new FleetRoutes(FleetSettings.builder(directory::get).build());
                started.add(DemoRuntime.start(home, exporter.apply(k).extension(fleet), recovery, shape));
                URI uri = started.get(k).watch.uri();
                peers.add(uri.getHost() + ":" + uri.getPort());
            }
            directory.set(Set.copyOf(peers));
            List<URI> uris = started.stream().map(d -> d.watch.uri()).toList();
            LocalStack local = stack.apply(uris.get(0)).alsoScrape(uris.subList(1, n)).alertmanagers(2)
                    .alertmanagerConfig(c -> c.replace("/alertmanager/webhook", "/alertmanager/relay")).start();
            return new FleetStack(started, local);
        } catch (Exception | Error e) {
            started.forEach(DemoRuntime::close);
            throw e;
        }
    }

    void printTo(PrintWriter out, Path tokenFile) {
        out.println("poolwatch stack is up with " + instances.size() + " instances:");
        for (int k = 0; k < instances.size(); k++) {
            out.println("  instance " + (k + 1) + "    " + instances.get(k).watch.uri() + "/metrics");
        }
        out.println("  prometheus    " + stack.prometheus() + "  (alerts: " + stack.prometheus() + "/alerts)");
        for (URI am : stack.alertmanagers()) {
            out.println("  alertmanager  " + am);
        }
        out.println("  token file    " + tokenFile.toAbsolutePath());
        String second = instances.get(1).watch.uri().toString();
        out.println("Inject a fault on instance 2; Alertmanager posts to instance 1, which relays it to instance 2:");
        out.println("  curl -X POST -H \"Authorization: Bearer $(cat " + tokenFile + ")\" " + second
                + "/api/demo/faults/leak");
        out.println("  curl " + second + "/api/events?kind=recovery");
        out.println("Press Ctrl-C to stop them all.");
        out.flush();
    }

    @Override
    public void close() {
        stack.close();
        instances.forEach(DemoRuntime::close);
    }
}
