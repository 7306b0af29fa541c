package dev.poolwatch.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CoarseWallClockTest {

    @Test
    void wallTimeFollowsTheSystemClockWithinARefreshAndDurationsUseTheMonotonicClock() throws Exception {
        CoarseWallClock clock = CoarseWallClock.INSTANCE;
        long before = System.currentTimeMillis();
        Thread.sleep(3 * CoarseWallClock.REFRESH_MILLIS);
        long wall = clock.wallTime();
        long after = System.currentTimeMillis();

        // Refreshed at least once during the sleep (it moved past `before`), never ahead of the system clock, and
        // behind it by about one refresh at most (twice, for a scheduler late on a loaded machine).
        assertThat(wall).isGreaterThan(before).isLessThanOrEqualTo(after);
        assertThat(after - wall).isLessThanOrEqualTo(2 * CoarseWallClock.REFRESH_MILLIS + 50);
        long t0 = clock.monotonicTime();
        long n0 = System.nanoTime();
        assertThat(Math.abs(t0 - n0)).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    }

    @Test
    void theExportersRegistriesRecordOnItAndTimersStillMeasureExactDurations() {
        PrometheusMeterRegistry registry = MeterRegistries.prometheus();
        assertThat(registry.config().clock()).isSameAs(CoarseWallClock.INSTANCE);
        assertThat(MeterRegistries.prometheusWithJvm().config().clock()).isSameAs(CoarseWallClock.INSTANCE);

        Timer t = Timer.builder("probe").serviceLevelObjectives(Duration.ofNanos(1_000), Duration.ofMillis(1))
                .register(registry);
        t.record(700, TimeUnit.NANOSECONDS);
        t.record(Duration.ofMillis(3));

        assertThat(t.count()).isEqualTo(2);
        assertThat(t.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(3_000_700.0);
        assertThat(t.max(TimeUnit.MILLISECONDS)).isEqualTo(3.0);
        assertThat(registry.scrape()).contains("probe_seconds_bucket{le=\"1.0E-6\"} 1")
                .contains("probe_seconds_bucket{le=\"0.001\"} 1").contains("probe_seconds_count 2");
    }
}
