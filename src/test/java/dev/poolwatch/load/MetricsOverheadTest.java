package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsOverheadTest {

    @Test
    void pairsTheDiskSlowedInTheMiddleOfAreOutliersInsteadOfMovingTheResult() {
        // Five pairs lose 2 % to the binder at whatever speed the disk had; in two the disk halved between the run
        // without and the run with. Medians of the two columns taken apart would say 23 %.
        List<double[]> rounds = List.of(new double[] {30_000, 29_400}, new double[] {20_000, 19_600},
                new double[] {25_000, 24_500}, new double[] {22_000, 21_560}, new double[] {28_000, 27_440},
                new double[] {30_000, 14_700}, new double[] {30_000, 14_700});
        MetricsOverhead o = MetricsOverhead.of(rounds, Map.of());

        assertThat(MetricsOverhead.percent(o.medianWithout(), o.medianWith())).isCloseTo(23.0, offset(0.1));
        assertThat(o.pairedPercent()).isCloseTo(2.0, offset(1e-9));
        assertThat(o.targetRow()).contains("| medium (median of paired rounds) | 2.0 % | **met** |");
    }

    @Test
    void anOverheadAboveTheTargetIsMissedByItsDistance() {
        MetricsOverhead o = MetricsOverhead.of(List.of(new double[] {100, 96}, new double[] {100, 95},
                new double[] {100, 97.5}), Map.of());

        assertThat(o.pairedPercent()).isCloseTo(4.0, offset(1e-9));
        assertThat(o.targetRow()).isEqualTo("| metrics overhead ≤ 3 % | medium (median of paired rounds) | 4.0 % |"
                + " **missed** by 1.0 points |" + System.lineSeparator());
    }

    @Test
    void theCycleShowsTheBindersShareAndItsNanosecondsPerBorrow() {
        MetricsOverhead o = MetricsOverhead.of(List.<double[]>of(new double[] {100, 99}), Map.of("poolwatch/1", 10.0,
                "poolwatchWithMetrics/1", 5.0, "poolwatch/8", 20.0, "poolwatchWithMetrics/8", 4.0));

        assertThat(o.cycle1()).isCloseTo(50.0, offset(1e-9));
        assertThat(o.cycle8()).isCloseTo(80.0, offset(1e-9));
        // 1 thread: 1/5 - 1/10 µs = 100 ns; 8 threads on n cores: n × (1/4 - 1/20) µs = n × 200 ns.
        assertThat(o.addedNanos1()).isCloseTo(100.0, offset(1e-9));
        int cores = Math.min(8, Runtime.getRuntime().availableProcessors());
        assertThat(o.addedNanos8()).isCloseTo(cores * 200.0, offset(1e-9));
        assertThat(o.section()).contains("50.0 % of the cycles on 1 thread and 80.0 % on 8")
                .contains("adds 100 ns of CPU on 1 thread");
    }

    @Test
    void aCycleThatWasNotMeasuredSaysSo() {
        MetricsOverhead o = MetricsOverhead.of(List.<double[]>of(new double[] {100, 99}), Map.of("poolwatch/1", 10.0));

        assertThat(o.section()).contains("NaN % of the cycles on 1 thread and NaN % on 8");
        assertThat(o.targetRow()).doesNotContain("JMH");
    }
}
