package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What each demo fault does to a pool, at the size docs/recovery.md promises. */
@Timeout(120)
class DemoFaultsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private SqlitePool open(int readers) throws Exception {
        return SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("demo.db")).name("demo").maxReaders(readers)
                .housekeepingPeriod(Duration.ofMillis(100)).checkpointInterval(Duration.ofMillis(200)).build());
    }

    @Test
    void aFaultThatEndsByItsTimerIsRecordedAsEndedLikeOneEndedByRequest() throws Exception {
        try (SqlitePool pool = open(2);
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).token("t").eventStore(dir.resolve("ev.db"))
                     .extension(new DemoFaultRoutes(pool)).start()) {
            for (String fault : List.of("lock", "leak")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/demo/faults/"
                        + fault)).header("Authorization", "Bearer t").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"seconds\": 1}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            }
            HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/api/demo/faults/leak"))
                    .header("Authorization", "Bearer t").DELETE().build(), HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                watch.events().flush(Duration.ofSeconds(5));
                List<Event> faults = watch.events().events(new EventQuery(null, "demo", "fault", null, 100));
                assertThat(faults).filteredOn(e -> e.details().containsKey("ended"))
                        .extracting(e -> e.details().get("fault") + " " + e.details().get("ended"))
                        .containsExactlyInAnyOrder("lock timer", "leak request");
            });
            assertThat(pool.stats().reader().active()).isZero();
        }
    }

    @Test
    void walBloatGrowsTheWalPastTheAlertThresholdAndKeepsItThereUntilACheckpointEmptiesIt() throws Exception {
        try (SqlitePool pool = open(2); FaultInjector faults = new FaultInjector(pool)) {
            faults.start(FaultInjector.Fault.WAL_BLOAT, Duration.ofMinutes(2));
            assertThat(pool.config().checkpointInterval()).isZero();
            await().atMost(Duration.ofSeconds(90)).until(() -> pool.walSizeBytes() >= FaultInjector.WAL_BLOAT_BYTES);
            assertThat(pool.walSizeBytes()).isGreaterThan(256L * 1024 * 1024);
            pool.write(c -> c.createStatement().executeUpdate("INSERT OR REPLACE INTO demo_ballast (id, data)"
                    + " VALUES (1, x'00')"));
            Thread.sleep(500);
            assertThat(pool.walSizeBytes()).as("no automatic checkpoint resets the WAL while the fault is on")
                    .isGreaterThanOrEqualTo(FaultInjector.WAL_BLOAT_BYTES);
            assertThat(pool.checkpoint(CheckpointMode.TRUNCATE).complete()).isTrue();
            assertThat(pool.walSizeBytes()).isZero();
            faults.end(FaultInjector.Fault.WAL_BLOAT);
            assertThat(pool.config().checkpointInterval()).isEqualTo(Duration.ofMillis(200));
        }
    }

    @Test
    void slowKeepsEveryReaderBusyBelowTheLeakThreshold() throws Exception {
        try (SqlitePool pool = open(3); FaultInjector faults = new FaultInjector(pool)) {
            assertThat(faults.start(FaultInjector.Fault.SLOW, Duration.ofMinutes(1))).containsEntry("slowQueryThreads",
                    8);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().reader().active() == 3
                    && pool.stats().reader().pending() >= 4);
            long start = System.nanoTime();
            pool.read(c -> c.isValid(1));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("an ordinary read waits for a reader")
                    .isGreaterThan(Duration.ofMillis(500));
            faults.end(FaultInjector.Fault.SLOW);
            assertThat(pool.stats().leaksSuspected()).isZero();
            assertThat(pool.stats().reader().active()).isZero();
        }
    }
}
