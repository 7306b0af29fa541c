package dev.poolwatch.metrics;

import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.PoolStats.RoleStats;
import dev.poolwatch.pool.Role;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * HikariCP's Micrometer meters, with its names, descriptions and {@code pool} tag, so that dashboards and alerts
 * written for HikariCP work on a poolwatch pool. HikariCP has one kind of connection; here the writer and the readers
 * are added up, and acquire times count successful acquires only, as HikariCP's do.
 */
final class HikariCpMeters implements PoolListener {

    private final Timer acquire;
    private final Timer usage;
    private final Timer creation;
    private final Counter timeouts;

    HikariCpMeters(Meters meters, String pool, Supplier<PoolStats> stats) {
        Tags tags = Tags.of("pool", pool);
        meters.gaugeOfBothRoles("hikaricp.connections", "Total connections", tags, stats, RoleStats::total);
        meters.gaugeOfBothRoles("hikaricp.connections.active", "Active connections", tags, stats, RoleStats::active);
        meters.gaugeOfBothRoles("hikaricp.connections.idle", "Idle connections", tags, stats, RoleStats::idle);
        meters.gaugeOfBothRoles("hikaricp.connections.pending", "Pending threads", tags, stats, RoleStats::pending);
        meters.gaugeOfBothRoles("hikaricp.connections.max", "Max connections", tags, stats, RoleStats::max);
        meters.gaugeOfBothRoles("hikaricp.connections.min", "Min connections", tags, stats, RoleStats::min);
        timeouts = meters.counter("hikaricp.connections.timeout", "Connection timeout total count", tags);
        acquire = meters.summary("hikaricp.connections.acquire", "Connection acquire time", tags);
        usage = meters.summary("hikaricp.connections.usage", "Connection usage time", tags);
        creation = meters.summary("hikaricp.connections.creation", "Connection creation time", tags);
    }

    @Override
    public void acquired(Role role, long waitNanos) {
        acquire.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        timeouts.increment();
    }

    @Override
    public void released(Role role, long heldNanos) {
        usage.record(heldNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void connectionCreated(Role role, long creationNanos) {
        creation.record(creationNanos, TimeUnit.NANOSECONDS);
    }
}
