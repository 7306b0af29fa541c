package dev.poolwatch.load;

import java.util.Locale;

/**
 * The burst scenario's cycle: every worker pauses, all meet at a barrier, and each runs its operations; a cycle ends
 * when the last worker is done. Its ops/s is workers × ops ÷ (pause + drain), so the fixed pause dilutes any
 * speed-up of the drain, and a pool with one transaction per write can drain no faster than the cycle's writes back
 * to back at the file's own one-write-per-transaction rate.
 */
record BurstCycle(int workers, int opsPerWorker, long pauseMillis, int readPercent) {

    static BurstCycle of(Scenario s) {
        return new BurstCycle(s.workers(), ScenarioBenchmark.BURST_OPS, ScenarioBenchmark.BURST_PAUSE_MILLIS,
                s.readPercent());
    }

    double opsPerCycle() {
        return (double) workers * opsPerWorker;
    }

    /** Milliseconds a cycle's operations took beyond the pause, at a measured {@code opsPerSecond}. */
    double drainMillis(double opsPerSecond) {
        return opsPerCycle() / opsPerSecond * 1000 - pauseMillis;
    }

    double writesPerCycle() {
        return opsPerCycle() * (100 - readPercent) / 100;
    }

    /** The drain if the cycle's writes ran back to back at {@code writesPerSecond} and nothing else took time. */
    double writeFloorMillis(double writesPerSecond) {
        return writesPerCycle() / writesPerSecond * 1000;
    }

    /** The highest ops/s ratio to a setup of {@code otherOpsPerSecond} that a drain at the write floor could reach. */
    double ratioBound(double otherOpsPerSecond, double writesPerSecond) {
        return (pauseMillis + drainMillis(otherOpsPerSecond)) / (pauseMillis + writeFloorMillis(writesPerSecond));
    }

    /** The paragraph under the targets table: poolwatch's drain, the other's, and the bound the write floor sets. */
    String explain(double poolwatchOps, String other, double otherOps, double oneWritePerTransaction) {
        return String.format(Locale.ROOT, "Burst's cycle: each worker pauses %d ms, the %d meet at a barrier, and each"
                        + " runs %d operations, so ops/s = %.0f ÷ (%d ms + drain). In this run the drain took %.1f ms"
                        + " for poolwatch and %.1f ms for %s (%.2f× faster). With one transaction per write no pool"
                        + " drains faster than the cycle's %.0f writes back to back at this file's"
                        + " 1-write-per-transaction ceiling (%.0f writes/s, in Group commit below: %.1f ms for them),"
                        + " which bounds the ops/s ratio to %s at %.2f×.%n%n",
                pauseMillis, workers, opsPerWorker, opsPerCycle(), pauseMillis, drainMillis(poolwatchOps),
                drainMillis(otherOps), other, drainMillis(otherOps) / drainMillis(poolwatchOps), writesPerCycle(),
                oneWritePerTransaction, writeFloorMillis(oneWritePerTransaction), other,
                ratioBound(otherOps, oneWritePerTransaction));
    }
}
