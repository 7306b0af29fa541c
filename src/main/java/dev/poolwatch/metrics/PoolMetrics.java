package dev.poolwatch.metrics;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.CheckpointResult;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.QuickCheckResult;
import dev.poolwatch.pool.Role;
import dev.poolwatch.pool.SqlitePool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Publishes one pool's meters (see docs/metrics.md) and records its events through the pool's listener SPI. Gauges
 * read a {@link PoolStats} snapshot taken at most once per scrape, so one scrape sees consistent counts.
 * {@link #close()} removes every meter and detaches from the pool.
 */
public final class PoolMetrics implements MeterBinder, PoolListener, AutoCloseable {

    /** Bucket bounds of every timer: 100 µs to 30 s, with the 50 ms latency target as a boundary. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    private static final long SNAPSHOT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SqlitePool pool;
    private final Tags poolTag;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<Role, Timer> acquire = new EnumMap<>(Role.class);
    private final Map<Role, Timer> usage = new EnumMap<>(Role.class);
    private final Map<Role, Timer> creation = new EnumMap<>(Role.class);
    private final Map<Role, Counter> timeouts = new EnumMap<>(Role.class);
    private final Map<Role, Counter> leaksSuspected = new EnumMap<>(Role.class);
    private final Map<Role, Counter> leaksReclaimed = new EnumMap<>(Role.class);
    private final Map<Role, Map<ErrorKind, Counter>> errors = new EnumMap<>(Role.class);
    private final Map<Role, Map<CloseReason, Counter>> closed = new EnumMap<>(Role.class);
    private Counter resizesUp;
    private Counter resizesDown;
    private Counter restarts;
    private Counter quickChecksOk;
    private Counter quickChecksFailed;
    private final Map<CheckpointMode, Counter> checkpointsComplete = new EnumMap<>(CheckpointMode.class);
    private final Map<CheckpointMode, Counter> checkpointsIncomplete = new EnumMap<>(CheckpointMode.class);
    private MeterRegistry registry;
    private BatchMetrics batches;

    private volatile PoolStats snapshot;
    private volatile long snapshotNanos;

    public PoolMetrics(SqlitePool pool) {
        this.pool = pool;
        this.poolTag = Tags.of("pool", pool.name());
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (this.registry != null) {
            throw new IllegalStateException("PoolMetrics of pool '" + pool.name() + "' is already bound");
        }
        this.registry = registry;
        for (Role role : Role.values()) {
            Tags tags = poolTag.and("role", role.tag());
            gauge("sqlite.pool.connections", "Open connections of the role by state: active are borrowed, idle wait"
                    + " in the pool", tags.and("state", "active"), null, s -> s.role(role).active());
            gauge("sqlite.pool.connections", "Open connections of the role by state: active are borrowed, idle wait"
                    + " in the pool", tags.and("state", "idle"), null, s -> s.role(role).idle());
            gauge("sqlite.pool.connections.max", "Upper bound of connections of the role", tags, null,
                    s -> s.role(role).max());
            gauge("sqlite.pool.connections.min", "Connections of the role kept open even when idle", tags,
                    null, s -> s.role(role).min());
            gauge("sqlite.pool.connections.pending", "Callers waiting for a connection of the role", tags, null,
                    s -> s.role(role).pending());
            acquire.put(role, timer("sqlite.pool.acquire", "Time from asking for a connection to getting it, for"
                    + " successful acquires", tags));
            usage.put(role, timer("sqlite.pool.usage", "How long a borrowed connection was held", tags));
            creation.put(role, timer("sqlite.pool.creation", "Time to open a physical connection", tags));
            timeouts.put(role, counter("sqlite.pool.timeouts", "Callers that gave up after the acquire timeout", tags));
            leaksSuspected.put(role, counter("sqlite.pool.leaks.suspected", "Connections held longer than the leak"
                    + " detection threshold", tags));
            leaksReclaimed.put(role, counter("sqlite.pool.leaks.reclaimed", "Leaked connections taken back by force",
                    tags));
            Map<ErrorKind, Counter> byKind = new EnumMap<>(ErrorKind.class);
            for (ErrorKind kind : ErrorKind.values()) {
                byKind.put(kind, counter("sqlite.pool.errors", "SQLite errors on the pool's connections by kind",
                        tags.and("kind", kind.tag())));
            }
            errors.put(role, byKind);
            Map<CloseReason, Counter> byReason = new EnumMap<>(CloseReason.class);
            for (CloseReason reason : CloseReason.values()) {
                byReason.put(reason, counter("sqlite.pool.connections.closed", "Physical connections closed, by why",
                        tags.and("reason", reason.name().toLowerCase(Locale.ROOT))));
            }
            closed.put(role, byReason);
        }
        resizesUp = counter("sqlite.pool.resizes", "Changes of the reader limit", poolTag.and("direction", "up"));
        resizesDown = counter("sqlite.pool.resizes", "Changes of the reader limit", poolTag.and("direction", "down"));
        restarts = counter("sqlite.pool.restarts", "Completed pool restarts", poolTag);
        quickChecksOk = counter("sqlite.pool.quick.checks", "PRAGMA quick_check runs by result",
                poolTag.and("result", "ok"));
        quickChecksFailed = counter("sqlite.pool.quick.checks", "PRAGMA quick_check runs by result",
                poolTag.and("result", "failed"));
        for (CheckpointMode mode : CheckpointMode.values()) {
            Tags tags = poolTag.and("mode", mode.name().toLowerCase(Locale.ROOT));
            checkpointsComplete.put(mode, counter("sqlite.pool.checkpoints", "WAL checkpoints run by the pool, by mode"
                    + " and outcome", tags.and("outcome", "complete")));
            checkpointsIncomplete.put(mode, counter("sqlite.pool.checkpoints", "WAL checkpoints run by the pool, by"
                    + " mode and outcome", tags.and("outcome", "incomplete")));
        }
        for (PoolState state : PoolState.values()) {
            gauge("sqlite.pool.state", "1 for the pool's current life-cycle state, 0 for the others",
                    poolTag.and("state", state.tag()), null, s -> s.state() == state ? 1 : 0);
        }
        gauge("sqlite.pool.database.size", "Size of the database file", poolTag, "bytes",
                s -> s.databaseSizeBytes());
        gauge("sqlite.pool.wal.size", "Size of the -wal file", poolTag, "bytes", s -> s.walSizeBytes());
        gauge("sqlite.pool.checkpoint.last.complete.timestamp", "When a checkpoint last copied the whole WAL into the"
                + " database (Unix time), 0 if none yet", poolTag, "seconds", s -> {
                    Instant t = s.lastCompleteCheckpoint();
                    return t == null ? 0 : t.toEpochMilli() / 1000.0;
                });
        pool.addListener(this);
        batches = new BatchMetrics(pool, registry);
    }

    private void gauge(String name, String description, Tags tags, String unit, ToDoubleFunction<PoolStats> f) {
        meters.add(Gauge.builder(name, this, m -> f.applyAsDouble(m.stats()))
                .description(description).tags(tags).baseUnit(unit).strongReference(true).register(registry));
    }

    private Timer timer(String name, String description, Tags tags) {
        Timer t = Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(BUCKETS)
                .register(registry);
        meters.add(t);
        return t;
    }

    private Counter counter(String name, String description, Tags tags) {
        Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
        meters.add(c);
        return c;
    }

    /** One snapshot serves all gauges of a scrape. */
    private PoolStats stats() {
        long now = System.nanoTime();
        PoolStats s = snapshot;
        if (s == null || now - snapshotNanos > SNAPSHOT_TTL_NANOS) {
            s = pool.stats();
            snapshot = s;
            snapshotNanos = now;
        }
        return s;
    }

    @Override
    public void acquired(Role role, long waitNanos) {
        acquire.get(role).record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void released(Role role, long heldNanos) {
        usage.get(role).record(heldNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        timeouts.get(role).increment();
    }

    @Override
    public void connectionCreated(Role role, long creationNanos) {
        creation.get(role).record(creationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void connectionClosed(Role role, CloseReason reason) {
        closed.get(role).get(reason).increment();
    }

    @Override
    public void resized(int oldMaxReaders, int newMaxReaders) {
        (newMaxReaders > oldMaxReaders ? resizesUp : resizesDown).increment();
    }

    @Override
    public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
        leaksSuspected.get(role).increment();
    }

    @Override
    public void leakReclaimed(Role role, long heldNanos) {
        leaksReclaimed.get(role).increment();
    }

    @Override
    public void error(Role role, ErrorKind kind, SQLException cause) {
        errors.get(role).get(kind).increment();
    }

    @Override
    public void restarted(long durationNanos) {
        restarts.increment();
    }

    @Override
    public void checkpointed(CheckpointResult result) {
        (result.complete() ? checkpointsComplete : checkpointsIncomplete).get(result.mode()).increment();
    }

    @Override
    public void quickChecked(QuickCheckResult result) {
        (result.ok() ? quickChecksOk : quickChecksFailed).increment();
    }

    /** Detaches from the pool and removes every meter this binder registered. */
    @Override
    public synchronized void close() {
        pool.removeListener(this);
        if (batches != null) {
            batches.close();
            batches = null;
        }
        if (registry != null) {
            for (Meter m : meters) {
                registry.remove(m);
            }
            meters.clear();
        }
    }
}
