package dev.poolwatch.load;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the Micrometer binder costs, from two measurements: the medium scenario run with and without it, in pairs
 * of adjacent rounds, and the JMH connection cycle with and without it. A scenario's ops/s on a shared disk drift by
 * more than the binder costs between one cell and the next; the overhead of each pair of adjacent rounds cancels
 * that drift, and its median over the pairs is what the target is checked against. The cycle, free of the disk, shows
 * the binder's own CPU cost per borrow and return.
 *
 * @param rounds ops/s of each pair of adjacent rounds: {@code [without, with]}
 */
record MetricsOverhead(List<double[]> rounds, double cycle1, double cycle8, double addedNanos1,
                       double addedNanos8) {

    static final double TARGET_PERCENT = 3;

    static MetricsOverhead of(List<double[]> rounds, Map<String, Double> cycle) {
        return new MetricsOverhead(List.copyOf(rounds), percent(cycle.get("poolwatch/1"), cycle.get("poolwatchWithMetrics/1")),
                percent(cycle.get("poolwatch/8"), cycle.get("poolwatchWithMetrics/8")),
                addedNanos(cycle.get("poolwatch/1"), cycle.get("poolwatchWithMetrics/1"), 1),
                addedNanos(cycle.get("poolwatch/8"), cycle.get("poolwatchWithMetrics/8"),
                        Math.min(8, Runtime.getRuntime().availableProcessors())));
    }

    /** Share of the throughput lost with the binder, in percent; negative when the run with it was faster. */
    static double percent(Double without, Double with) {
        if (without == null || with == null || without <= 0) {
            return Double.NaN;
        }
        return (without - with) / without * 100;
    }

    /**
     * CPU nanoseconds the binder adds to one cycle, from JMH throughputs in operations per microsecond, with
     * {@code cpus} cores running the benchmark's threads.
     */
    static double addedNanos(Double without, Double with, int cpus) {
        if (without == null || with == null || without <= 0 || with <= 0) {
            return Double.NaN;
        }
        return cpus * 1000 * (1 / with - 1 / without);
    }

    /** Median over the pairs of each pair's own overhead. */
    double pairedPercent() {
        return GroupCommitBench.median(rounds.stream().map(r -> percent(r[0], r[1])).toList());
    }

    double medianWithout() {
        return GroupCommitBench.median(rounds.stream().map(r -> r[0]).toList());
    }

    double medianWith() {
        return GroupCommitBench.median(rounds.stream().map(r -> r[1]).toList());
    }

    /** The target row: the scenario's figure decides; the cycle has no target (3 % of a 100 ns cycle is 3 ns). */
    String targetRow() {
        double paired = pairedPercent();
        return String.format(Locale.ROOT, "| metrics overhead ≤ 3 %% | medium (median of paired rounds) | %.1f %% | %s |%n",
                paired, verdict(paired));
    }

    String section() {
        StringBuilder sb = new StringBuilder("## Metrics overhead\n\n");
        sb.append(String.format(Locale.ROOT, "poolwatch on the medium scenario with and without the Micrometer binder, %d"
                + " pairs of adjacent rounds, alternating which of the two runs first. Each pair's overhead is its own"
                + " (1 − with ÷ without), so a drift of the disk between pairs cancels out; the median over the pairs is"
                + " %.1f %%. Medians of the rounds themselves: %.0f ops/s without, %.0f ops/s with.%n%n",
                rounds.size(), pairedPercent(), medianWithout(), medianWith()));
        sb.append("| pair | without ops/s | with ops/s | overhead |\n|---:|---:|---:|---:|\n");
        for (int i = 0; i < rounds.size(); i++) {
            double[] r = rounds.get(i);
            sb.append(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.1f %% |%n", i + 1, r[0], r[1], percent(r[0], r[1])));
        }
        sb.append(String.format(Locale.ROOT, "%nIn the JMH connection cycle above (borrow and return, nothing else, so"
                + " the binder's two timer records are the whole difference) the binder takes %.1f %% of the cycles on 1"
                + " thread and %.1f %% on 8. Per borrow and return it adds %.0f ns of CPU on 1 thread and %.0f ns on 8"
                + " threads (an operation's CPU there is the cores the threads share ÷ ops per µs), where the timers'"
                + " shared histogram slots and counters are contended.%n%n", cycle1, cycle8, addedNanos1, addedNanos8));
        return sb.toString();
    }

    private static String verdict(double percent) {
        if (Double.isNaN(percent)) {
            return "not measured";
        }
        return percent <= TARGET_PERCENT ? "**met**" : String.format(Locale.ROOT, "**missed** by %.1f points",
                percent - TARGET_PERCENT);
    }
}
