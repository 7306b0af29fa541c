package dev.poolwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.DemoFaultRoutes;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * A fleet in one JVM for tests: N exporters on port 0, each with its own database (a pool named "demo", like every
 * instance of one service), the recovery endpoint, the demo faults and the fleet relay, all peers of each other.
 */
public final class TestFleet implements AutoCloseable {

    public static final String TOKEN = "fleet-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final List<SqlitePool> pools = new ArrayList<>();
    private final List<PoolWatch> watches = new ArrayList<>();
    private final List<SteadyLoad> loads = new ArrayList<>();
    private volatile Set<String> peers = Set.of();

    private TestFleet() {
    }

    /**
     * @param loadRate operations per second on each instance's pool, 0 for none
     */
    public static TestFleet start(Path dir, int instances, RecoverySettings recovery, double loadRate)
            throws Exception {
        TestFleet fleet = new TestFleet();
        try {
            for (int i = 0; i < instances; i++) {
                Path home = Files.createDirectories(dir.resolve("instance-" + (i + 1)));
                SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(home.resolve("demo.db")).name("demo")
                        .maxReaders(4).acquireTimeout(Duration.ofMillis(500)).busyTimeout(Duration.ofMillis(500))
                        .leakDetectionThreshold(Duration.ofSeconds(1)).leakReclaimTimeout(Duration.ofSeconds(2))
                        .housekeepingPeriod(Duration.ofMillis(100))
                        .build());
                fleet.pools.add(pool);
                BotWorkload workload = new BotWorkload(pool, 100);
                workload.prepare();
                fleet.watches.add(PoolWatch.builder().pool(pool).port(0).token(TOKEN)
                        .extension(new RecoveryRoutes(recovery)).extension(new DemoFaultRoutes(pool))
                        .extension(new FleetRoutes(FleetSettings.builder(() -> fleet.peers).build())).start());
                if (loadRate > 0) {
                    fleet.loads.add(new SteadyLoad(workload, 2, loadRate, 70, workload.maxOpId()).start());
                }
            }
            fleet.peers = Set.copyOf(fleet.watches.stream().map(w -> Address.of("127.0.0.1", w.port())).toList());
            return fleet;
        } catch (Exception | Error e) {
            fleet.close();
            throw e;
        }
    }

    public int size() {
        return watches.size();
    }

    public URI uri(int i) {
        return watches.get(i).uri();
    }

    public List<URI> uris() {
        return watches.stream().map(PoolWatch::uri).toList();
    }

    /** The instance label Prometheus gives instance i when it scrapes {@link #uri(int)}. */
    public String instance(int i) {
        return "127.0.0.1:" + watches.get(i).port();
    }

    public SqlitePool pool(int i) {
        return pools.get(i);
    }

    public HttpResponse<String> post(int i, String path, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(i).resolve(path)).timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Instance i's audit trail of one kind, as a person reads it: GET /api/events?kind=…, oldest first. */
    public List<JsonNode> events(int i, String kind) throws IOException, InterruptedException {
        watches.get(i).events().flush(Duration.ofSeconds(5));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri(i).resolve("/api/events?kind=" + kind
                + "&limit=1000")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /api/events answered " + r.statusCode() + ": " + r.body());
        }
        List<JsonNode> out = new ArrayList<>(StreamSupport.stream(JSON.readTree(r.body()).path("events")
                .spliterator(), false).toList());
        java.util.Collections.reverse(out);
        return out;
    }

    /** Instance i's recovery events with this action and outcome. */
    public List<JsonNode> recovery(int i, String action, String outcome) throws IOException, InterruptedException {
        return events(i, "recovery").stream().filter(e -> action.equals(e.path("details").path("action").asText())
                && outcome.equals(e.path("details").path("outcome").asText())).toList();
    }

    @Override
    public void close() {
        loads.forEach(SteadyLoad::close);
        watches.forEach(PoolWatch::close);
        pools.forEach(SqlitePool::close);
    }
}
