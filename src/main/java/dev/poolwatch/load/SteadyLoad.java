package dev.poolwatch.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A steady background mix of bot operations at a target rate, for the demo: enough to make every metric move,
 * little enough to leave the machine usable. Errors are counted and logged at most once a minute, never thrown.
 */
public final class SteadyLoad implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SteadyLoad.class);

    private final BotWorkload workload;
    private final int workers;
    private final double opsPerSecond;
    private final int readPercent;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong nextOpId;
    private final LongAdder ops = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private final long firstOpId;
    private final AtomicLong lastErrorLogNanos = new AtomicLong(System.nanoTime() - TimeUnit.MINUTES.toNanos(2));
    private volatile boolean stopped;

    /**
     * @param workers threads (1 to 64); @param opsPerSecond total target rate (0.1 to 100000);
     * @param readPercent share of reads (0 to 100)
     */
    public SteadyLoad(BotWorkload workload, int workers, double opsPerSecond, int readPercent, long firstOpId) {
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be between 1 and 64, was " + workers);
        }
        if (!(opsPerSecond >= 0.1 && opsPerSecond <= 100_000)) {
            throw new IllegalArgumentException("opsPerSecond must be between 0.1 and 100000, was " + opsPerSecond);
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("readPercent must be between 0 and 100, was " + readPercent);
        }
        this.workload = workload;
        this.workers = workers;
        this.opsPerSecond = opsPerSecond;
        this.readPercent = readPercent;
        this.nextOpId = new AtomicLong(firstOpId);
        this.firstOpId = firstOpId;
    }

    public SteadyLoad start() {
        long intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) * workers / opsPerSecond);
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(() -> run(intervalNanos), "poolwatch-demo-load-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void run(long intervalNanos) {
        long next = System.nanoTime() + ThreadLocalRandom.current().nextLong(Math.max(1, intervalNanos));
        while (!stopped) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            next += intervalNanos;
            if (next < System.nanoTime() - TimeUnit.SECONDS.toNanos(1)) {
                next = System.nanoTime();
            }
            try {
                int roll = ThreadLocalRandom.current().nextInt(100);
                if (roll < readPercent) {
                    if (roll % 3 == 0) {
                        workload.rangeRead();
                    } else {
                        workload.pointRead();
                    }
                } else {
                    workload.write(nextOpId.incrementAndGet());
                    writes.increment();
                }
                ops.increment();
            } catch (Exception e) {
                errors.increment();
                long now = System.nanoTime();
                long last = lastErrorLogNanos.get();
                if (now - last > TimeUnit.MINUTES.toNanos(1) && lastErrorLogNanos.compareAndSet(last, now)) {
                    log.warn("demo load operation failed ({} errors so far): {}", errors.sum(), e.getMessage());
                }
            }
        }
    }

    public long operations() {
        return ops.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** Writes acknowledged as committed. */
    public long writes() {
        return writes.sum();
    }

    /** Op ids of this run's writes are above this one. */
    public long firstOpId() {
        return firstOpId;
    }

    /** Stops the workers and waits up to a few seconds for their current operation to end. */
    @Override
    public void close() {
        stopped = true;
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
