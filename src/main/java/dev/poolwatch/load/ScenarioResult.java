package dev.poolwatch.load;

import dev.poolwatch.pool.ErrorKind;
import java.util.Map;

/**
 * What one scenario run measured. Latencies are in nanoseconds; rates per second over the measured duration.
 * {@code integrityOk} says every write reported as successful is in the database and no other write of the run is.
 * {@code batches} counts the group-commit batches that committed during a {@link WriteMode#BATCHED} run.
 */
public record ScenarioResult(
        Scenario scenario, WriteMode mode, long batches, double seconds, long reads, long writes, long errors, Map<String, Long> errorsByKind,
        Latency acquire, Latency operation, boolean integrityOk, long acknowledgedWrites, long missingWrites,
        long unexpectedWrites) {

    /** A result of plain writes (no group commit). */
    public ScenarioResult(Scenario scenario, double seconds, long reads, long writes, long errors,
                          Map<String, Long> errorsByKind, Latency acquire, Latency operation, boolean integrityOk,
                          long acknowledgedWrites, long missingWrites, long unexpectedWrites) {
        this(scenario, WriteMode.PLAIN, 0, seconds, reads, writes, errors, errorsByKind, acquire, operation,
                integrityOk, acknowledgedWrites, missingWrites, unexpectedWrites);
    }

    /** Quantiles of one latency, in nanoseconds. */
    public record Latency(long count, long p50, long p95, long p99, long max) {
        static Latency of(LatencyHistogram h) {
            return new Latency(h.count(), h.quantileNanos(0.50), h.quantileNanos(0.95), h.quantileNanos(0.99),
                    h.maxNanos());
        }
    }

    /** Writes per committed group-commit batch, 0 for plain writes. */
    public double meanBatchSize() {
        return batches == 0 ? 0 : (double) writes / batches;
    }

    public long operations() {
        return reads + writes;
    }

    public double opsPerSecond() {
        return seconds <= 0 ? 0 : operations() / seconds;
    }

    public double readsPerSecond() {
        return seconds <= 0 ? 0 : reads / seconds;
    }

    public double writesPerSecond() {
        return seconds <= 0 ? 0 : writes / seconds;
    }

    /** Errors over attempted operations (0 when nothing was attempted). */
    public double errorRate() {
        long attempted = operations() + errors;
        return attempted == 0 ? 0 : (double) errors / attempted;
    }

    static Map<String, Long> kinds(Map<ErrorKind, Long> byKind) {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        byKind.forEach((k, v) -> {
            if (v > 0) {
                out.put(k.tag(), v);
            }
        });
        return out;
    }
}
