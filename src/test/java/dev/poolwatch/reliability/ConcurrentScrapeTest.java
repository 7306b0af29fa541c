package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Eight scrapers at full speed against /metrics while the demo load runs: no error, and the latency is reported. */
@Timeout(120)
class ConcurrentScrapeTest {

    private static final Duration RUN = Duration.ofSeconds(Long.getLong("poolwatch.scrape.seconds", 20));

    @TempDir
    Path dir;

    @Test
    void eightScrapersAtFullSpeedGetNoErrorWhileTheLoadRuns() throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("s.db")).name("scraped").build())) {
            BotWorkload workload = new BotWorkload(pool, 100);
            workload.prepare();
            try (PoolWatch watch = PoolWatch.builder().pool(pool).port(0).start();
                 SteadyLoad load = new SteadyLoad(workload, 4, 500, 70, 0).start()) {
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest req = HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics"))
                        .timeout(Duration.ofSeconds(10)).build();
                List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
                List<String> failures = Collections.synchronizedList(new ArrayList<>());
                long deadline = System.nanoTime() + RUN.toNanos();
                ExecutorService exec = Executors.newFixedThreadPool(8);
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    futures.add(exec.submit(() -> {
                        while (System.nanoTime() < deadline) {
                            long t0 = System.nanoTime();
                            try {
                                HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
                                if (r.statusCode() != 200 || !r.body().contains("sqlite_pool_acquire_seconds_count")) {
                                    failures.add("status " + r.statusCode());
                                }
                            } catch (Exception e) {
                                failures.add(e.toString());
                            }
                            latenciesMicros.add((System.nanoTime() - t0) / 1000);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(RUN.toSeconds() + 30, TimeUnit.SECONDS);
                }
                exec.shutdown();
                List<Long> sorted = new ArrayList<>(latenciesMicros);
                Collections.sort(sorted);
                long p50 = sorted.get(sorted.size() / 2);
                long p99 = sorted.get((int) (sorted.size() * 0.99));
                long max = sorted.get(sorted.size() - 1);
                assertThat(failures).isEmpty();
                assertThat(sorted.size()).isGreaterThan(100);
                assertThat(load.errors()).isZero();
                assertThat(max).as("every scrape answered within its 10 s timeout").isLessThan(10_000_000);
                Figures.record("Concurrent scraping", String.format(Locale.ROOT, "8 scrapers at full speed for %d s"
                                + " during a 500 ops/s load: p50 %.1f ms, p99 %.1f ms, max %.1f ms", RUN.toSeconds(),
                        p50 / 1000.0, p99 / 1000.0, max / 1000.0), sorted.size(), "nothing; 0 failed scrapes, 0 load"
                        + " errors");
            }
        }
    }
}
