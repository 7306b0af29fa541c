package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BurstCycleTest {

    private final BurstCycle cycle = new BurstCycle(25, 20, 50, 70);

    @Test
    void drainIsTheCycleTimeLessThePause() {
        // 500 operations per cycle at 8 000 ops/s: 62.5 ms a cycle, 12.5 ms of it draining.
        assertThat(cycle.drainMillis(8_000)).isCloseTo(12.5, within(1e-9));
        assertThat(cycle.drainMillis(10_000)).isCloseTo(0, within(1e-9));
    }

    @Test
    void writeFloorIsTheCyclesWritesAtTheGivenRate() {
        // 30 % of 500 = 150 writes; at 15 000 writes/s they take 10 ms.
        assertThat(cycle.writeFloorMillis(15_000)).isCloseTo(10, within(1e-9));
        assertThat(new BurstCycle(25, 20, 50, 40).writeFloorMillis(15_000)).isCloseTo(20, within(1e-9));
    }

    @Test
    void ratioBoundComparesTheOthersCycleWithACycleAtTheWriteFloor() {
        // Other: 500 / 6 250 ops/s = 80 ms a cycle; at the floor a cycle is 50 + 10 = 60 ms: 80 / 60.
        assertThat(cycle.ratioBound(6_250, 15_000)).isCloseTo(80.0 / 60, within(1e-9));
        // A faster file lowers the floor and raises the bound: 50 + 5 = 55 ms.
        assertThat(cycle.ratioBound(6_250, 30_000)).isCloseTo(80.0 / 55, within(1e-9));
    }

    @Test
    void ofTakesTheBenchmarksPauseAndOperationsAndTheScenariosMix() {
        BurstCycle burst = BurstCycle.of(Scenario.named("burst").withDuration(Duration.ofSeconds(1)));
        assertThat(burst).isEqualTo(new BurstCycle(25, ScenarioBenchmark.BURST_OPS,
                ScenarioBenchmark.BURST_PAUSE_MILLIS, 70));
    }

    @Test
    void explanationQuotesTheDrainsAndTheBound() {
        String text = cycle.explain(8_000, "hikari-split", 6_250, 15_000);
        assertThat(text).contains("pauses 50 ms", "the 25 meet", "runs 20 operations", "500 ÷ (50 ms + drain)",
                "12.5 ms for poolwatch", "30.0 ms for hikari-split (2.40× faster)", "150 writes",
                "15000 writes/s, in Group commit below: 10.0 ms for them", "to hikari-split at 1.33×");
    }
}
