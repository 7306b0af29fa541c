package dev.poolwatch.metrics;

import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.SqlitePool;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The group-commit meters of one pool (docs/metrics.md): batch size, COMMIT duration, queue depth and queue wait.
 * Attached by {@link PoolMetrics}; a listener of its own, so the pool's other meters do not change.
 */
final class BatchMetrics implements PoolListener {

    /** Bucket bounds of the batch size: powers of ten and their halves, up to the largest maxBatchOperations. */
    private static final double[] SIZE_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000,
        100_000};

    private final SqlitePool pool;
    private final MeterRegistry registry;
    private final DistributionSummary size;
    private final Timer commit;
    private final Timer queueWait;
    private final List<Meter> meters;

    BatchMetrics(SqlitePool pool, MeterRegistry registry) {
        this.pool = pool;
        this.registry = registry;
        Tags tags = Tags.of("pool", pool.name(), "role", "writer");
        size = DistributionSummary.builder("sqlite.pool.batch.size")
                .description("Callers' work run by each committed group-commit batch (submit/writeBatched)")
                .tags(tags).serviceLevelObjectives(SIZE_BUCKETS).register(registry);
        commit = Timer.builder("sqlite.pool.batch.commit")
                .description("Time the COMMIT of a group-commit batch took (the fsync at synchronous=FULL)")
                .tags(tags).serviceLevelObjectives(PoolMetrics.BUCKETS).register(registry);
        queueWait = Timer.builder("sqlite.pool.batch.queue.wait")
                .description("Time batched work waited in the queue before a batch started it")
                .tags(tags).serviceLevelObjectives(PoolMetrics.BUCKETS).register(registry);
        Gauge depth = Gauge.builder("sqlite.pool.batch.queue.depth", pool, SqlitePool::batchQueueDepth)
                .description("Batched work queued and not yet started").tags(tags).strongReference(true)
                .register(registry);
        meters = List.of(size, commit, queueWait, depth);
        pool.addListener(this);
    }

    @Override
    public void batchCommitted(int operations, long commitNanos) {
        size.record(operations);
        commit.record(commitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void batchQueueWaited(long waitNanos) {
        queueWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    void close() {
        pool.removeListener(this);
        meters.forEach(registry::remove);
    }
}
