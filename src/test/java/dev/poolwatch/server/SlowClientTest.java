package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send or read slowly, or all at once: they may get 429/503 or be cut off, but {@code /metrics},
 * {@code /health/*} and the rest of the API keep answering. Figures are printed for the report.
 */
class SlowClientTest {

    private static final String TOKEN = "slow-token-0123456789";
    private static final HttpClient LOAD = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private Http http;
    private final List<RawHttp> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4).build());
    }

    private void startExporter(PoolWatch.Builder b) throws Exception {
        watch = b.pool(pool).port(0).token(TOKEN).start();
        http = new Http(watch.uri());
    }

    @AfterEach
    void stop() throws IOException {
        for (RawHttp s : sockets) {
            s.close();
        }
        if (watch != null) {
            watch.close();
        }
        pool.close();
    }

    private RawHttp open(int receiveBuffer) throws IOException {
        RawHttp s = RawHttp.connect(watch.uri(), receiveBuffer);
        sockets.add(s);
        return s;
    }

    private void fillEvents(int n, int messageBytes) {
        for (int i = 0; i < n; i++) {
            watch.events().record(Event.of("app", "test", Severity.INFO, "event " + i + " " + "x".repeat(messageBytes),
                    Map.of("i", i)));
            if (i % 5000 == 4999) {
                watch.events().flush(Duration.ofSeconds(20));
            }
        }
        assertThat(watch.events().flush(Duration.ofSeconds(20))).isTrue();
    }

    private long millis(String path, int expectedStatus) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.get(path);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(expectedStatus);
        return ms;
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(p * sorted.size())));
    }

    @Test
    void exportsThatAreNeverReadHoldNoDatabaseConnectionAndAreCapped() throws Exception {
        startExporter(PoolWatch.builder().idleTimeout(Duration.ofSeconds(3)));
        // About 8 MB of export: more than the kernel buffers between a server and a client that does not read.
        fillEvents(20_000, 300);
        List<RawHttp> stalled = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            stalled.add(open(4096).send("GET /api/export HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        for (RawHttp s : stalled) {
            statuses.merge(s.status(Duration.ofSeconds(5)), 1, Integer::sum);
        }
        assertThat(statuses).as("answers to 6 exports at once").isEqualTo(Map.of(200, EventRoutes.MAX_EXPORTS,
                429, 6 - EventRoutes.MAX_EXPORTS));
        List<Long> eventsMs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            eventsMs.add(millis("/api/events?limit=100", 200));
        }
        System.out.println("FIGURE stalled exports: /api/events p50 " + percentile(eventsMs, 0.5) + " ms, max "
                + percentile(eventsMs, 1) + " ms");
        assertThat(percentile(eventsMs, 1)).as("/api/events while exports are never read").isLessThan(2000);
        assertThat(http.get("/api/export").statusCode()).as("the stalled exports still hold both slots")
                .isEqualTo(429);
        long t0 = System.nanoTime();
        int status = 0;
        while (status != 200 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20)) {
            Thread.sleep(250);
            status = http.get("/api/export?format=csv").statusCode();
        }
        long freedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("FIGURE stalled exports ended by the write idle timeout (3 s); slots free after " + freedMs
                + " ms");
        assertThat(status).as("the idle timeout ends exports nobody reads").isEqualTo(200);
    }

    @Test
    void metricsStayFastWhileThirtyTwoClientsPullLargeEventPages() throws Exception {
        startExporter(PoolWatch.builder());
        fillEvents(2000, 200);
        List<Long> idleMs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            idleMs.add(millis("/metrics", 200));
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger busy = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        List<Future<?>> load = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            load.add(clients.submit(() -> {
                while (running.get()) {
                    int status = LOAD.send(HttpRequest.newBuilder(watch.uri().resolve("/api/events?limit=1000"))
                            .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    (status == 200 ? ok : busy).incrementAndGet();
                    assertThat(status).isIn(200, 503);
                }
                return null;
            }));
        }
        try {
            Thread.sleep(1000);
            List<Long> metricsMs = new ArrayList<>();
            List<Long> healthMs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                metricsMs.add(millis("/metrics", 200));
                healthMs.add(millis("/health/live", 200));
                Thread.sleep(50);
            }
            System.out.println("FIGURE /metrics p50 without load " + percentile(idleMs, 0.5) + " ms");
            System.out.println("FIGURE 32 x /api/events?limit=1000: /metrics p50 " + percentile(metricsMs, 0.5)
                    + " ms, p90 " + percentile(metricsMs, 0.9) + " ms; /health/live p50 " + percentile(healthMs, 0.5)
                    + " ms; heap used " + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1_048_576
                    + " MiB; VmRSS " + rss());
            // The bound allows for a machine that is busy anyway (the same scrape, unloaded, is the baseline); 32 API
            // handlers competing with the scrape for the cores made it about ten times the baseline.
            long bound = 100 + 2 * percentile(idleMs, 0.5);
            assertThat(percentile(metricsMs, 0.5)).isLessThan(bound);
            assertThat(percentile(healthMs, 0.5)).isLessThan(bound);
        } finally {
            running.set(false);
            for (Future<?> f : load) {
                f.get(30, TimeUnit.SECONDS);
            }
            clients.shutdown();
        }
        System.out.println("FIGURE 32 x /api/events?limit=1000: " + ok.get() + " answered 200, " + busy.get()
                + " answered 503");
        assertThat(ok.get()).isPositive();
    }

    private static String rss() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                .map(l -> l.substring(6).strip()).findFirst().orElse("?");
    }

    @Test
    void slowBodiesWithAValidTokenDoNotStarveMetricsAndAreCut() throws Exception {
        startExporter(PoolWatch.builder().requestTimeout(Duration.ofSeconds(1)));
        List<RawHttp> slow = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RawHttp s = open(0);
            s.send("PUT /api/pools/app/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
            slow.add(s);
        }
        long t0 = System.nanoTime();
        List<Long> metricsMs = new ArrayList<>();
        while (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(2500)) {
            for (RawHttp s : slow) {
                try {
                    s.send(" ");
                } catch (IOException cut) {
                    // the server closed it: that is the point
                }
            }
            metricsMs.add(millis("/metrics", 200));
            Thread.sleep(100);
        }
        System.out.println("FIGURE 50 slow bodies: /metrics p50 " + percentile(metricsMs, 0.5) + " ms, max "
                + percentile(metricsMs, 1) + " ms");
        assertThat(percentile(metricsMs, 1)).isLessThan(2000);
        for (RawHttp s : slow) {
            assertThat(s.closedByServer(Duration.ofSeconds(3))).as("a body still trickling in after 2 s is cut").isTrue();
        }
        assertThat(pool.config().maxReaders()).isEqualTo(4);
    }

    @Test
    void headerLinesSentForeverAreCutOffAtTheDeadline() throws Exception {
        startExporter(PoolWatch.builder().requestTimeout(Duration.ofSeconds(1)));
        RawHttp s = open(0);
        s.send("GET /health/live HTTP/1.1\r\nHost: x\r\n");
        long t0 = System.nanoTime();
        boolean cut = false;
        for (int i = 0; i < 50 && !cut; i++) {
            try {
                s.send("X-Slow-" + i + ": still sending\r\n");
                cut = s.closedByServer(Duration.ofMillis(100));
            } catch (IOException e) {
                cut = true;
            }
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("FIGURE header trickle cut after " + ms + " ms (deadline 1 s)");
        assertThat(cut).isTrue();
        assertThat(ms).isBetween(900L, 3000L);
    }

    @Test
    void connectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
        startExporter(PoolWatch.builder().maxConnections(8));
        List<RawHttp> idle = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RawHttp s = open(0);
            assertThat(s.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n").read(Duration.ofSeconds(5)).status())
                    .isEqualTo(200);
            idle.add(s);
        }
        RawHttp extra = open(0);
        extra.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThatThrownBy(() -> extra.status(Duration.ofMillis(700))).as("not accepted while 8 are open")
                .isInstanceOf(SocketTimeoutException.class);
        idle.get(0).close();
        assertThat(extra.status(Duration.ofSeconds(5))).as("accepted once a connection closed").isEqualTo(200);
    }
}
