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
 * OpenTelemetry's database client connection metrics ({@code db.client.connection.*}, keyed by
 * {@code db.client.connection.pool.name}), for OTel backends and dashboards. Writer and readers are added up: the
 * conventions know one kind of connection. The wait time counts timed-out waits too, as the conventions define it.
 * Its histograms always have the compact buckets: they repeat the pool's own, so they should cost few series.
 */
final class OpenTelemetryMeters implements PoolListener {

    static final String POOL_NAME = "db.client.connection.pool.name";

    private final Timer waitTime;
    private final Timer useTime;
    private final Timer createTime;
    private final Counter timeouts;

    OpenTelemetryMeters(Meters meters, String pool, Supplier<PoolStats> stats) {
        Tags tags = Tags.of(POOL_NAME, pool);
        String count = "The number of connections that are currently in state described by the state attribute";
        meters.gaugeOfBothRoles("db.client.connection.count", count, tags.and("state", "idle"), stats,
                RoleStats::idle);
        meters.gaugeOfBothRoles("db.client.connection.count", count, tags.and("state", "used"), stats,
                RoleStats::active);
        meters.gaugeOfBothRoles("db.client.connection.max", "The maximum number of open connections allowed",
                tags, stats, RoleStats::max);
        meters.gaugeOfBothRoles("db.client.connection.idle.min", "The minimum number of idle open connections"
                + " allowed", tags, stats, RoleStats::min);
        meters.gaugeOfBothRoles("db.client.connection.pending_requests", "The number of current pending requests for"
                + " an open connection", tags, stats, RoleStats::pending);
        timeouts = meters.counter("db.client.connection.timeouts", "The number of connection timeouts that have"
                + " occurred trying to obtain a connection from the pool", tags);
        waitTime = meters.histogram("db.client.connection.wait_time", "The time it took to obtain an open connection"
                + " from the pool", tags, Buckets.LATENCY_COMPACT);
        useTime = meters.histogram("db.client.connection.use_time", "The time between borrowing a connection and"
                + " returning it to the pool", tags, Buckets.USAGE_COMPACT);
        createTime = meters.histogram("db.client.connection.create_time", "The time it took to create a new"
                + " connection", tags, Buckets.LATENCY_COMPACT);
    }


    @Override
    public void acquired(Role role, long waitNanos) {
        waitTime.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        timeouts.increment();
        waitTime.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void released(Role role, long heldNanos) {
        useTime.record(heldNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void connectionCreated(Role role, long creationNanos) {
        createTime.record(creationNanos, TimeUnit.NANOSECONDS);
    }
}
