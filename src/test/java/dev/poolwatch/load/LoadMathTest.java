package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadMathTest {

    @Test
    void builtInScenariosMatchTheSpec() {
        assertThat(Scenario.BUILT_IN).extracting(Scenario::name)
                .containsExactly("light", "medium", "heavy", "extreme", "write-heavy", "burst");
        assertThat(Scenario.named("light")).isEqualTo(new Scenario("light", 5, Duration.ofSeconds(30), 70, false));
        assertThat(Scenario.named("extreme").workers()).isEqualTo(25);
        assertThat(Scenario.named("extreme").duration()).isEqualTo(Duration.ofSeconds(180));
        assertThat(Scenario.named("WRITE-HEAVY").readPercent()).isEqualTo(30);
        assertThat(Scenario.named("burst").burst()).isTrue();
        assertThat(Scenario.named("nope")).isNull();
        assertThatThrownBy(() -> Scenario.named("light").withWorkers(0)).hasMessageContaining("workers");
    }

    @Test
    void histogramQuantilesAreWithinItsPrecision() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 10_000; i++) {
            h.recordNanos(i * 1000L);
        }
        assertThat(h.count()).isEqualTo(10_000);
        assertThat(h.quantileNanos(0.5) / 1e3).isCloseTo(5000, org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(h.quantileNanos(0.99) / 1e3).isCloseTo(9900, org.assertj.core.data.Percentage.withPercentage(2));
        assertThat(h.maxNanos()).isEqualTo(10_000_000L);
        assertThat(h.quantileNanos(1.0)).isEqualTo(10_000_000L);
        assertThat(new LatencyHistogram().quantileNanos(0.99)).isZero();
    }

    @Test
    void bucketBoundsCoverEveryValueOnce() {
        for (long micros : new long[] {0, 1, 63, 64, 127, 128, 129, 255, 256, 1_000, 65_535, 1_000_000, 3_600_000_000L}) {
            int i = LatencyHistogram.index(micros);
            assertThat(LatencyHistogram.upperMicros(i)).as("upper bound of %d", micros).isGreaterThanOrEqualTo(micros);
            if (i > 0 && micros < 1L << 37) {
                assertThat(LatencyHistogram.upperMicros(i - 1)).as("previous bound of %d", micros).isLessThan(micros);
            }
        }
    }

    @Test
    void ratesAndErrorRateComeFromCountsAndTime() {
        ScenarioResult.Latency l = new ScenarioResult.Latency(1, 1, 1, 1, 1);
        ScenarioResult r = new ScenarioResult(Scenario.named("light"), 2.0, 300, 100, 4, Map.of("busy", 4L), l, l,
                true, 100, 0, 0);
        assertThat(r.operations()).isEqualTo(400);
        assertThat(r.opsPerSecond()).isEqualTo(200);
        assertThat(r.readsPerSecond()).isEqualTo(150);
        assertThat(r.writesPerSecond()).isEqualTo(50);
        assertThat(r.errorRate()).isEqualTo(4.0 / 404);
        assertThat(LoadReport.table(java.util.List.of(r))).contains("light", "ok (100 writes)", "{busy=4}");
    }

    @Test
    void opIdSetHoldsMillionsOfIdsInBitsAcrossChunks() {
        OpIdSet ids = new OpIdSet(1_000);
        for (long id = 1_000; id < 3_000_000; id += 3) {
            ids.add(id);
        }
        ids.add(1_000);
        assertThat(ids.size()).isEqualTo((3_000_000 - 1_000 + 2) / 3);
        assertThat(ids.contains(1_003)).isTrue();
        assertThat(ids.contains(1_004)).isFalse();
        assertThat(ids.contains(999)).isFalse();
        assertThat(ids.contains(2_999_998)).isTrue();
        assertThatThrownBy(() -> ids.add(5)).hasMessageContaining("below the run's first id");
    }
}
