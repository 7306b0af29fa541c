package dev.poolwatch.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.cli.LocalStack;
import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.DemoFaultRoutes;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long after a demo fault starts its alert fires, and how long after the fault ends it resolves, with the shipped
 * rules and the shipped 5 s scrape and evaluation interval, unchanged: real Prometheus and Alertmanager (LocalStack,
 * as {@code poolwatch stack} runs them) scraping a real exporter under load. The lock and the leak fault run at once,
 * 60 s each as the demo's default; the figures are printed for docs/alerts.md#detection-latency.
 */
@Timeout(300)
class DetectionLatencyTest {

    private static final String TOKEN = "latency-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration FAULT = Duration.ofSeconds(60);
    /** The demo's leak detection threshold (DemoRuntime). */
    private static final Duration LEAK_DETECTION = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private SteadyLoad load;
    private LocalStack stack;

    @AfterEach
    void stop() {
        if (stack != null) {
            stack.close();
        }
        if (load != null) {
            load.close();
        }
        if (watch != null) {
            watch.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /** When an alert started and stopped firing, in seconds from the fault's start; -1 while it has not. */
    private static final class Watch {
        private final String alertname;
        private double fired = -1;
        private double resolved = -1;

        Watch(String alertname) {
            this.alertname = alertname;
        }
    }

    @Test
    void lockAndLeakAlertsFireWhileTheirFaultLastsAndResolveSoonAfterItEnds() throws Exception {
        start();
        Watch lock = new Watch("SqlitePoolLockContention");
        Watch leak = new Watch("SqlitePoolConnectionLeak");
        long t0 = System.nanoTime();
        assertThat(fault("lock").statusCode()).isEqualTo(202);
        assertThat(fault("leak").statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            double now = (System.nanoTime() - t0) / 1e9;
            for (Watch w : new Watch[] {lock, leak}) {
                boolean firing = firing(w.alertname);
                if (firing && w.fired < 0) {
                    w.fired = now;
                } else if (!firing && w.fired >= 0 && w.resolved < 0) {
                    w.resolved = now;
                }
            }
            return lock.resolved >= 0 && leak.resolved >= 0;
        });

        double end = FAULT.toSeconds();
        System.out.printf("detection latency (fault %d s, scrape and evaluation 5 s):%n", FAULT.toSeconds());
        for (Watch w : new Watch[] {lock, leak}) {
            System.out.printf("  %s fired %.0f s after the fault began, resolved %.0f s after it ended%n", w.alertname,
                    w.fired, w.resolved - end);
        }
        assertThat(lock.fired).as("%s fires while the lock is still held", lock.alertname).isLessThan(end);
        assertThat(lock.resolved - end).as("%s resolves within 75 s of the lock's release", lock.alertname)
                .isLessThan(75);
        assertThat(leak.fired).as("%s fires while the connections are still held", leak.alertname).isLessThan(end);
        assertThat(leak.resolved - end).as("%s resolves within 90 s of the leak's end (2 minutes after it was seen)",
                leak.alertname).isLessThan(90);
    }

    private void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("demo.db")).name("demo").maxReaders(4)
                .acquireTimeout(Duration.ofSeconds(2)).leakDetectionThreshold(LEAK_DETECTION).build());
        BotWorkload workload = new BotWorkload(pool, 100);
        workload.prepare();
        // Dry run: the measurement is of the rules; an action must not end a fault early.
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN)
                .extension(new RecoveryRoutes(new RecoverySettings(true, Duration.ofSeconds(30), Duration.ofMinutes(5),
                        20, Duration.ofMinutes(5), Duration.ofMinutes(5), 8, 500)))
                .extension(new DemoFaultRoutes(pool)).start();
        load = new SteadyLoad(workload, 6, 100, 70, workload.maxOpId()).start();
        Path token = Files.writeString(dir.resolve("token"), TOKEN);
        stack = LocalStack.builder(RuleFiles.root(), watch.uri(), token).resendDelay(Duration.ofSeconds(1)).start();
        // A minute of healthy scrapes first, so the faults start against full rate windows, as in a running stack.
        await().atMost(Duration.ofSeconds(30)).until(() -> query("up{job=\"poolwatch\"} == 1").size() > 0);
        Thread.sleep(Duration.ofSeconds(20).toMillis());
        assertThat(firing("SqlitePoolLockContention") || firing("SqlitePoolConnectionLeak"))
                .as("no fault alert before the faults").isFalse();
    }

    private HttpResponse<String> fault(String name) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/demo/faults/" + name))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\": " + FAULT.toSeconds() + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private boolean firing(String alertname) throws Exception {
        return query("ALERTS{alertname=\"" + alertname + "\",alertstate=\"firing\"}").size() > 0;
    }

    private JsonNode query(String promql) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.prometheus() + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body()).path("data").path("result");
    }
}
