package dev.poolwatch.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A concurrent latency histogram with about 1.6 % relative precision from 1 µs to about 70 minutes: log-linear
 * buckets (64 per power of two), as HdrHistogram does, in a fixed 2 KiB-ish array, so recording never allocates.
 */
final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;
    private static final int MAGNITUDES = 33;

    private final AtomicLongArray counts = new AtomicLongArray(MAGNITUDES * SUB);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    void recordNanos(long nanos) {
        long micros = Math.max(0, nanos / 1000);
        counts.incrementAndGet(index(micros));
        total.incrementAndGet();
        long m;
        while (nanos > (m = max.get()) && !max.compareAndSet(m, nanos)) {
            Thread.onSpinWait();
        }
    }

    static int index(long micros) {
        if (micros < SUB) {
            return (int) micros;
        }
        int magnitude = 63 - Long.numberOfLeadingZeros(micros) - SUB_BITS + 1;
        int m = Math.min(magnitude, MAGNITUDES - 1);
        long sub = (micros >> (m - 1)) & (SUB - 1);
        return Math.min(m * SUB + (int) sub, MAGNITUDES * SUB - 1);
    }

    /** The upper bound, in microseconds, of the values in bucket {@code i}. */
    static long upperMicros(int i) {
        int m = i / SUB;
        long sub = i % SUB;
        if (m == 0) {
            return sub;
        }
        return ((sub | SUB) << (m - 1)) + (1L << (m - 1)) - 1;
    }

    long count() {
        return total.get();
    }

    long maxNanos() {
        return max.get();
    }

    /** The value at quantile {@code q} (0 to 1), in nanoseconds; 0 when empty. */
    long quantileNanos(double q) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= Math.max(1, rank)) {
                return Math.min(upperMicros(i) * 1000 + 999, max.get());
            }
        }
        return max.get();
    }
}
