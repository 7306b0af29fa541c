package dev.poolwatch.metrics;

import java.time.Duration;

/**
 * Bucket bounds of the pool's histograms. Every set keeps 10 ms and 50 ms as bounds, because the latency alerts
 * compare quantiles with them (the 10 ms floor of SqlitePoolPerformanceDegraded, the 50 ms target), and usage goes past
 * the 60 s leak detection threshold so that held-too-long borrows are not all lumped in +Inf.
 */
final class Buckets {

    /** Acquire, creation and write-lock waits: 100 µs to 30 s (the default acquire timeout). */
    static final Duration[] LATENCY = {
        micros(100), micros(250), micros(500), millis(1), micros(2500), millis(5), millis(10), millis(25), millis(50),
        millis(100), millis(250), millis(500), seconds(1), millis(2500), seconds(5), seconds(10), seconds(30)
    };

    /** How long connections are held: the latency bounds, then 1, 2 and 5 minutes. */
    static final Duration[] USAGE = concat(LATENCY, seconds(60), seconds(120), seconds(300));

    /** For many pools per process (database per tenant): 8 bounds instead of 17. */
    static final Duration[] LATENCY_COMPACT = {
        millis(1), millis(5), millis(10), millis(50), millis(250), seconds(1), seconds(5), seconds(30)
    };

    static final Duration[] USAGE_COMPACT = {
        millis(1), millis(10), millis(50), millis(250), seconds(1), seconds(10), seconds(60), seconds(300)
    };

    private Buckets() {
    }

    static Duration[] latency(boolean compact) {
        return compact ? LATENCY_COMPACT : LATENCY;
    }

    static Duration[] usage(boolean compact) {
        return compact ? USAGE_COMPACT : USAGE;
    }

    private static Duration micros(long n) {
        return Duration.ofNanos(n * 1_000);
    }

    private static Duration millis(long n) {
        return Duration.ofMillis(n);
    }

    private static Duration seconds(long n) {
        return Duration.ofSeconds(n);
    }

    private static Duration[] concat(Duration[] head, Duration... tail) {
        Duration[] out = new Duration[head.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }
}
