package dev.poolwatch.pool;

import java.util.concurrent.atomic.LongAdder;

/** What one role's connections did since the pool opened: the counters of {@link PoolStats.RoleStats}. */
final class RoleCounters {
    final LongAdder acquires = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder closed = new LongAdder();

    /** Physical connections of this role open now. */
    long openCount() {
        return created.sum() - closed.sum();
    }
}
