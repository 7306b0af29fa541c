package dev.poolwatch.metrics;

import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.SqlitePool;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The group-commit meters of one pool (docs/metrics.md): batch size, COMMIT duration, queue depth and queue wait.
 * Attached by {@link PoolMetrics}; a listener of its own, so the pool's other meters do not change. The meters are
 * registered when the pool first queues batched work, so a pool that never uses group commit costs no series.
 */
final class BatchMetrics implements PoolListener {

    /** Bucket bounds of the batch size: powers of ten and their halves, up to the largest maxBatchOperations. */
    private static final double[] SIZE_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000,
        100_000};

    private final SqlitePool pool;
    private final MeterRegistry registry;
    private final Duration[] latencyBuckets;
    private volatile Registered meters;

    private record Registered(DistributionSummary size, Timer commit, Timer queueWait, List<Meter> all) {
    }

    BatchMetrics(SqlitePool pool, MeterRegistry registry, Duration[] latencyBuckets) {
        this.pool = pool;
        this.registry = registry;
        this.latencyBuckets = latencyBuckets;
        pool.addListener(this);
    }

    private Registered meters() {
        Registered m = meters;
        if (m == null) {
            synchronized (this) {
                m = meters;
                if (m == null) {
                    m = register();
                    meters = m;
                }
            }
        }
        return m;
    }

    private Registered register() {
        Tags tags = Tags.of("pool", pool.name(), "role", "writer");
        DistributionSummary size = DistributionSummary.builder("sqlite.pool.batch.size")
                .description("Callers' work run by each committed group-commit batch (submit/writeBatched)")
                .tags(tags).serviceLevelObjectives(SIZE_BUCKETS).register(registry);
        Timer commit = Timer.builder("sqlite.pool.batch.commit")
                .description("Time the COMMIT of a group-commit batch took (the fsync at synchronous=FULL)")
                .tags(tags).serviceLevelObjectives(latencyBuckets).register(registry);
        Timer queueWait = Timer.builder("sqlite.pool.batch.queue.wait")
                .description("Time batched work waited in the queue before a batch started it")
                .tags(tags).serviceLevelObjectives(latencyBuckets).register(registry);
        Gauge depth = Gauge.builder("sqlite.pool.batch.queue.depth", pool, SqlitePool::batchQueueDepth)
                .description("Batched work queued and not yet started").tags(tags).strongReference(true)
                .register(registry);
        return new Registered(size, commit, queueWait, List.of(size, commit, queueWait, depth));
    }

    @Override
    public void batchCommitted(int operations, long commitNanos) {
        Registered m = meters();
        m.size().record(operations);
        m.commit().record(commitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchQueueWaited(long waitNanos) {
        meters().queueWait().record(waitNanos, TimeUnit.NANOSECONDS);
    }

    void close() {
        pool.removeListener(this);
        Registered m = meters;
        if (m != null) {
            m.all().forEach(registry::remove);
        }
    }
}
