package dev.poolwatch.metrics;

import io.micrometer.core.instrument.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer's clock with a wall time read from a field instead of the system clock. Every timer record reads the
 * wall clock twice (the time-window max and the histogram each check whether to rotate), which is most of what
 * recording costs: on the 2-core VM of docs/benchmarks.md a clock read is about 30 ns, four per borrow and return.
 * Rotation is the only use of the wall time here and happens every 40 s (expiry 2 min over 3 buffers), so a value
 * refreshed every {@link #REFRESH_MILLIS} ms changes nothing a scrape shows. The monotonic time, which timers
 * measure durations with, stays the system's.
 */
final class CoarseWallClock implements Clock {

    static final long REFRESH_MILLIS = 100;
    static final CoarseWallClock INSTANCE = new CoarseWallClock();

    private volatile long wallMillis = System.currentTimeMillis();

    private CoarseWallClock() {
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-metrics-clock");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleAtFixedRate(() -> wallMillis = System.currentTimeMillis(), REFRESH_MILLIS, REFRESH_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public long wallTime() {
        return wallMillis;
    }

    @Override
    public long monotonicTime() {
        return System.nanoTime();
    }
}
