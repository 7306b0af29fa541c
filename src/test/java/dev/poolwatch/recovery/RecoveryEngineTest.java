package dev.poolwatch.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import dev.poolwatch.store.EventStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The engine's decisions against a real pool and event store, with a clock the test moves. */
@Timeout(60)
class RecoveryEngineTest {

    /** A clock that moves only when told to. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static final RecoverySettings SETTINGS = new RecoverySettings(false, Duration.ofMinutes(5),
            Duration.ofHours(1), 100, Duration.ofMinutes(10), Duration.ofMinutes(15), 50, 500, Duration.ofMinutes(2));

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock();
    private final List<Connection> held = new ArrayList<>();
    private SqlitePool pool;
    private EventStore store;
    private RecoveryEngine engine;

    @BeforeEach
    void open() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4)
                .acquireTimeout(Duration.ofSeconds(10)).leakDetectionThreshold(Duration.ofMillis(200))
                .leakReclaimTimeout(Duration.ofMillis(300))
                .housekeepingPeriod(Duration.ofMillis(50)).build());
        store = EventStore.open(dir.resolve("events.db"));
        engine = engine();
    }

    private RecoveryEngine engine() throws Exception {
        return new RecoveryEngine(SETTINGS, name -> name.equals("app") ? pool : null, List.of("app"), store,
                new SimpleMeterRegistry(), clock, false);
    }

    @AfterEach
    void close() throws Exception {
        for (Connection c : held) {
            c.close();
        }
        engine.close();
        store.close();
        pool.close();
    }

    private static AlertRequest alert(String action, String fingerprint, String startsAt) {
        return new AlertRequest("TestAlert", true, "app", action, fingerprint, startsAt, Map.of());
    }

    private RecoveryEngine.Decision fire(String action, String fingerprint, String startsAt) {
        return engine.handle(List.of(alert(action, fingerprint, startsAt))).get(0);
    }

    /** The recovery events in the order they were recorded. */
    private List<Event> audit() throws Exception {
        assertThat(engine.awaitIdle(Duration.ofSeconds(20))).isTrue();
        store.flush(Duration.ofSeconds(5));
        return store.events(new EventQuery(null, "app", "recovery", null, 1000)).stream()
                .sorted(Comparator.comparingLong(Event::id)).toList();
    }

    private List<String> outcomes(String action) throws Exception {
        return audit().stream().filter(e -> action.equals(e.details().get("action")))
                .map(e -> (String) e.details().get("outcome")).toList();
    }

    private void holdReaders(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            held.add(pool.reader().getConnection());
        }
    }

    private void releaseReaders() throws Exception {
        for (Connection c : held) {
            c.close();
        }
        held.clear();
    }

    @Test
    void executedIsAlwaysRecordedBeforeTheRunsOwnOutcome() throws Exception {
        for (int i = 0; i < 30; i++) {
            assertThat(engine.trigger("app", "optimize", true).outcome()).isEqualTo(Outcome.EXECUTED);
            assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        }
        List<String> order = outcomes("optimize");
        assertThat(order).hasSize(60);
        for (int i = 0; i < order.size(); i += 2) {
            assertThat(order.subList(i, i + 2)).as("events %d and %d of %s", i, i + 1, order)
                    .containsExactly("executed", "succeeded");
        }
    }

    @Test
    void reclaimWithNoConnectionHeldPastTheThresholdIsNothingToDoAndCostsNoCooldown() throws Exception {
        RecoveryEngine.Decision d = fire("reclaim_leaks", "leak", "t1");
        assertThat(d.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(d.reason()).contains("no connection has been held past 0.3 s");
        holdReaders(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().leaksSuspected() == 2
                && pool.stats().reader().oldestBorrowNanos() > Duration.ofMillis(350).toNanos());
        assertThat(fire("reclaim_leaks", "leak", "t1").outcome()).as("the same alert, now with a leak present: no"
                + " cooldown and no dedupe key were spent on the empty run").isEqualTo(Outcome.EXECUTED);
        assertThat(outcomes("reclaim_leaks")).containsExactly("nothing_to_do", "executed", "succeeded");
        assertThat(pool.stats().leaksReclaimed()).isEqualTo(2);
    }

    @Test
    void checkpointOfAWalWithinJournalSizeLimitIsNothingToDo() throws Exception {
        pool.write(c -> c.createStatement().execute("CREATE TABLE t (x BLOB)"));
        assertThat(pool.walSizeBytes()).isPositive().isLessThanOrEqualTo(RecoveryAction.SMALL_WAL_BYTES);
        RecoveryEngine.Decision d = fire("checkpoint", "wal", "t1");
        assertThat(d.outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(d.reason()).contains("within journal_size_limit");
        assertThat(pool.walSizeBytes()).as("nothing was checkpointed").isPositive();
    }

    @Test
    void resizeUpWithFreeReadersIsNothingToDoAndRestartOfAWritablePoolRestartsNothing() throws Exception {
        assertThat(fire("resize_up", "ex", "t1").outcome()).isEqualTo(Outcome.NOTHING_TO_DO);
        assertThat(pool.config().maxReaders()).isEqualTo(4);
        assertThat(fire("restart_pool", "ro", "t1").outcome()).isEqualTo(Outcome.EXECUTED);
        assertThat(outcomes("restart_pool")).containsExactly("executed", "nothing_to_do");
        assertThat(pool.stats().restarts()).as("the write probe found the writer able to write").isZero();
    }

    @Test
    void backoffDoublesWithinAnIncidentAndStartsOverAfterThreeQuietCooldownsAlsoAcrossARestart() throws Exception {
        assertThat(fire("optimize", "fp", "t1").reason()).endsWith("next cooldown 300 s");
        clock.advance(Duration.ofMinutes(6));
        assertThat(fire("optimize", "fp", "t2").reason()).as("the same alert back soon: the action did not help")
                .endsWith("next cooldown 600 s");
        clock.advance(Duration.ofMinutes(29).plusSeconds(59));
        assertThat(fire("optimize", "fp", "t3").reason()).as("just under 3 x 600 s of quiet: the same incident")
                .endsWith("next cooldown 1200 s");
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        engine.close();
        engine = engine();
        clock.advance(Duration.ofMinutes(60).minusSeconds(1));
        assertThat(fire("optimize", "fp", "t4").reason()).as("after a restart, the saved 1200 s cooldown: just under"
                + " 3 x 1200 s of quiet is still the same incident").endsWith("next cooldown 2400 s");
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        engine.close();
        engine = engine();
        clock.advance(Duration.ofMinutes(120).plusSeconds(1));
        assertThat(fire("optimize", "fp", "t5").reason()).as("just over 3 x 2400 s of quiet: a new incident")
                .endsWith("next cooldown 300 s");
    }

    @Test
    void raisedReaderLimitGoesBackToTheConfiguredSizeOnceThePressureIsGoneAndIsAudited() throws Exception {
        holdReaders(4);
        CompletableFuture<Connection> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return pool.reader().getConnection();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().reader().pending() == 1);
        assertThat(fire("resize_up", "ex", "t1").outcome()).isEqualTo(Outcome.EXECUTED);
        held.add(waiter.get());
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(pool.config().maxReaders()).isEqualTo(6);

        clock.advance(Duration.ofMinutes(3));
        engine.checkReaderLimits();
        assertThat(pool.config().maxReaders()).as("five readers in use, more than the configured four").isEqualTo(6);
        releaseReaders();
        clock.advance(Duration.ofMinutes(2).minusSeconds(1));
        engine.checkReaderLimits();
        assertThat(pool.config().maxReaders()).as("one second short of two minutes without pressure").isEqualTo(6);
        clock.advance(Duration.ofSeconds(1));
        engine.checkReaderLimits();
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(pool.config().maxReaders()).isEqualTo(4);
        List<Event> down = audit().stream().filter(e -> "resize_down".equals(e.details().get("action"))).toList();
        assertThat(down).extracting(e -> e.details().get("outcome")).containsExactly("executed", "succeeded");
        assertThat(down.get(0).details()).containsEntry("alertname", RecoveryEngine.RESIZE_BACK);
        assertThat(down.get(1).details().get("result")).isEqualTo(Map.of("maxReadersBefore", 6,
                "maxReadersAfter", 4));
        clock.advance(Duration.ofMinutes(10));
        engine.checkReaderLimits();
        assertThat(engine.trigger("app", "resize_down", true).outcome()).as("no raised limit is left to undo")
                .isEqualTo(Outcome.NOTHING_TO_DO);
    }

    @Test
    void aReaderLimitSomeoneElseChangedAfterResizeUpIsLeftAlone() throws Exception {
        holdReaders(4);
        assertThat(fire("resize_up", "ex", "t1").outcome()).isEqualTo(Outcome.EXECUTED);
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        releaseReaders();
        pool.resize(10);
        clock.advance(Duration.ofMinutes(30));
        engine.checkReaderLimits();
        assertThat(engine.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(pool.config().maxReaders()).isEqualTo(10);
        assertThat(outcomes("resize_down")).isEmpty();
    }
}
