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
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Publishes one pool's meters (see docs/metrics.md) and records its events through the pool's listener SPI. Gauges
 * read a {@link PoolStats} snapshot taken at most once per scrape, so one scrape sees consistent counts; what needs a
 * query or a system call is sampled in the background ({@link StorageSampler}). {@link #close()} removes every meter
 * and detaches from the pool.
 */
public final class PoolMetrics implements MeterBinder, PoolListener, AutoCloseable {

    private static final long SNAPSHOT_TTL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final SqlitePool pool;
    private final MetricsOptions options;
    private final Tags poolTag;
    private final Map<Role, Timer> acquired = new EnumMap<>(Role.class);
    private final Map<Role, Timer> acquireTimedOut = new EnumMap<>(Role.class);
    private final Map<Role, Timer> usage = new EnumMap<>(Role.class);
    private final Map<Role, Timer> creation = new EnumMap<>(Role.class);
    private final Map<Role, Counter> timeouts = new EnumMap<>(Role.class);
    private final Map<Role, Counter> leaksSuspected = new EnumMap<>(Role.class);
    private final Map<Role, Counter> leaksReclaimed = new EnumMap<>(Role.class);
    private final Map<Role, Map<ErrorKind, Counter>> errors = new EnumMap<>(Role.class);
    private final Map<Role, Map<CloseReason, Counter>> closed = new EnumMap<>(Role.class);
    private final Map<CheckpointMode, Map<CheckpointOutcome, Counter>> checkpoints =
            new EnumMap<>(CheckpointMode.class);
    private final List<PoolListener> compatibility = new ArrayList<>();
    private Counter resizesUp;
    private Counter resizesDown;
    private Counter restarts;
    private Counter quickChecksOk;
    private Counter quickChecksFailed;
    private Counter commits;
    private Counter rollbacks;
    private Timer writeLockWait;
    private Timer checkpointDuration;
    private Meters meters;
    private StorageSampler sampler;
    private BatchMetrics batches;

    private volatile CheckpointResult lastCheckpoint;
    private volatile PoolStats snapshot;
    private volatile long snapshotNanos;

    /** How a checkpoint ended: everything copied, blocked by a lock, or stopped at frames that readers still use. */
    private enum CheckpointOutcome {
        COMPLETE, BUSY, PINNED;

        static CheckpointOutcome of(CheckpointResult r) {
            return r.busy() ? BUSY : r.complete() ? COMPLETE : PINNED;
        }
    }

    public PoolMetrics(SqlitePool pool) {
        this(pool, MetricsOptions.DEFAULT);
    }

    public PoolMetrics(SqlitePool pool, MetricsOptions options) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.options = Objects.requireNonNull(options, "options");
        this.poolTag = Tags.of("pool", pool.name());
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        if (meters != null) {
            throw new IllegalStateException("PoolMetrics of pool '" + pool.name() + "' is already bound");
        }
        meters = new Meters(registry);
        for (Role role : Role.values()) {
            bindRole(role, poolTag.and("role", role.tag()));
        }
        bindPoolWide();
        bindSettings();
        sampler = new StorageSampler(pool, meters, poolTag, options.storageSampleInterval());
        if (options.hikariCpNames()) {
            compatibility.add(new HikariCpMeters(meters, pool.name(), this::stats));
        }
        if (options.openTelemetryNames()) {
            compatibility.add(new OpenTelemetryMeters(meters, pool.name(), this::stats));
        }
        pool.addListener(this);
        compatibility.forEach(pool::addListener);
        batches = new BatchMetrics(pool, registry, Buckets.latency(options.compactHistograms()));
    }

    private void bindRole(Role role, Tags tags) {
        String connections = "Open connections of the role by state: active are borrowed, idle wait in the pool";
        gauge("sqlite.pool.connections", connections, tags.and("state", "active"), null, s -> s.role(role).active());
        gauge("sqlite.pool.connections", connections, tags.and("state", "idle"), null, s -> s.role(role).idle());
        gauge("sqlite.pool.connections.max", "Upper bound of connections of the role (for readers: the live"
                + " maxReaders setting)", tags, null, s -> s.role(role).max());
        gauge("sqlite.pool.connections.min", "Connections of the role kept open even when idle (for readers: the"
                + " live minReaders setting)", tags, null, s -> s.role(role).min());
        gauge("sqlite.pool.connections.pending", "Callers waiting for a connection of the role", tags, null,
                s -> s.role(role).pending());
        gauge("sqlite.pool.oldest.borrow.age", "How long the longest current borrow of the role has been held, 0 when"
                + " none is; for readers the age of the oldest read snapshot, which keeps checkpoints from finishing",
                tags, "seconds", s -> s.role(role).oldestBorrowNanos() / 1e9);
        Duration[] latency = Buckets.latency(options.compactHistograms());
        String acquire = "Time from asking for a connection to getting it or giving up (outcome=timeout)";
        acquired.put(role, meters.histogram("sqlite.pool.acquire", acquire, tags.and("outcome", "acquired"),
                latency));
        acquireTimedOut.put(role, meters.histogram("sqlite.pool.acquire", acquire, tags.and("outcome", "timeout"),
                latency));
        usage.put(role, meters.histogram("sqlite.pool.usage", "How long a borrowed connection was held", tags,
                Buckets.usage(options.compactHistograms())));
        creation.put(role, meters.histogram("sqlite.pool.creation", "Time to open a physical connection", tags,
                latency));
        timeouts.put(role, meters.counter("sqlite.pool.timeouts", "Callers that gave up after the acquire timeout",
                tags));
        leaksSuspected.put(role, meters.counter("sqlite.pool.leaks.suspected", "Connections held longer than the"
                + " leak detection threshold", tags));
        leaksReclaimed.put(role, meters.counter("sqlite.pool.leaks.reclaimed", "Leaked connections taken back by"
                + " force", tags));
        errors.put(role, byEnum(ErrorKind.class, kind -> meters.counter("sqlite.pool.errors", "SQLite errors on the"
                + " pool's connections by kind", tags.and("kind", kind.tag()))));
        closed.put(role, byEnum(CloseReason.class, reason -> meters.counter("sqlite.pool.connections.closed",
                "Physical connections closed, by why", tags.and("reason", tag(reason)))));
    }

    private void bindPoolWide() {
        Tags writer = poolTag.and("role", Role.WRITER.tag());
        writeLockWait = meters.histogram("sqlite.pool.write.lock.wait", "Time the writer waited for SQLite's write"
                + " lock (busy handler) in BEGIN IMMEDIATE: another process or a connection outside the pool",
                writer, Buckets.latency(options.compactHistograms()));
        checkpointDuration = meters.histogram("sqlite.pool.checkpoint.duration", "Time PRAGMA wal_checkpoint took,"
                + " whatever its outcome", writer, Buckets.latency(options.compactHistograms()));
        String transactions = "Write transactions of the pool, by how they ended";
        commits = meters.counter("sqlite.pool.transactions", transactions, writer.and("outcome", "committed"));
        rollbacks = meters.counter("sqlite.pool.transactions", transactions, writer.and("outcome", "rolled_back"));
        resizesUp = meters.counter("sqlite.pool.resizes", "Changes of the reader limit",
                poolTag.and("direction", "up"));
        resizesDown = meters.counter("sqlite.pool.resizes", "Changes of the reader limit",
                poolTag.and("direction", "down"));
        restarts = meters.counter("sqlite.pool.restarts", "Completed pool restarts", poolTag);
        quickChecksOk = meters.counter("sqlite.pool.quick.checks", "PRAGMA quick_check runs by result",
                poolTag.and("result", "ok"));
        quickChecksFailed = meters.counter("sqlite.pool.quick.checks", "PRAGMA quick_check runs by result",
                poolTag.and("result", "failed"));
        for (CheckpointMode mode : CheckpointMode.values()) {
            Tags tags = poolTag.and("mode", tag(mode));
            checkpoints.put(mode, byEnum(CheckpointOutcome.class, outcome -> meters.counter("sqlite.pool.checkpoints",
                    "WAL checkpoints run by the pool, by mode and outcome (busy: blocked by a lock; pinned: readers"
                            + " still use frames)", tags.and("outcome", tag(outcome)))));
        }
        meters.gauge("sqlite.pool.checkpoint.wal.frames", "Frames in the WAL at the last checkpoint, -1 if not in"
                + " WAL mode, NaN before the first", poolTag, null, () -> frames(CheckpointResult::walFrames));
        meters.gauge("sqlite.pool.checkpoint.checkpointed.frames", "Frames of the WAL in the database file after the"
                + " last checkpoint; fewer than the WAL's means readers pin the rest", poolTag, null,
                () -> frames(CheckpointResult::checkpointedFrames));
        for (PoolState state : PoolState.values()) {
            gauge("sqlite.pool.state", "1 for the pool's current life-cycle state, 0 for the others",
                    poolTag.and("state", state.tag()), null, s -> s.state() == state ? 1 : 0);
        }
        gauge("sqlite.pool.database.size", "Size of the database file", poolTag, "bytes", PoolStats::databaseSizeBytes);
        gauge("sqlite.pool.wal.size", "Size of the -wal file", poolTag, "bytes", PoolStats::walSizeBytes);
        gauge("sqlite.pool.checkpoint.last.complete.timestamp", "When a checkpoint last copied the whole WAL into the"
                + " database (Unix time), 0 if none yet", poolTag, "seconds", s -> {
                    Instant t = s.lastCompleteCheckpoint();
                    return t == null ? 0 : t.toEpochMilli() / 1000.0;
                });
    }

    /** The live settings, read from the pool's current configuration at each scrape. */
    private void bindSettings() {
        meters.gauge("sqlite.pool.acquire.timeout", "How long a caller waits for a connection before giving up",
                poolTag, "seconds", () -> seconds(pool.config().acquireTimeout()));
        meters.gauge("sqlite.pool.leak.detection.threshold", "How long a borrow may last before it is reported as a"
                + " leak, 0 when leak detection is off", poolTag, "seconds",
                () -> seconds(pool.config().leakDetectionThreshold()));
        meters.gauge("sqlite.pool.leak.reclaim.timeout", "How long a borrow may last before the pool may take the"
                + " connection back, 0 when reclaiming is off", poolTag, "seconds",
                () -> seconds(pool.config().leakReclaimTimeout()));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private double frames(ToDoubleFunction<CheckpointResult> f) {
        CheckpointResult r = lastCheckpoint;
        return r == null ? Double.NaN : f.applyAsDouble(r);
    }

    private static String tag(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> Map<E, Counter> byEnum(Class<E> type, Function<E, Counter> counter) {
        Map<E, Counter> out = new EnumMap<>(type);
        for (E e : type.getEnumConstants()) {
            out.put(e, counter.apply(e));
        }
        return out;
    }

    private void gauge(String name, String description, Tags tags, String unit, ToDoubleFunction<PoolStats> f) {
        meters.gauge(name, description, tags, unit, () -> f.applyAsDouble(stats()));
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
        acquired.get(role).record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void released(Role role, long heldNanos) {
        usage.get(role).record(heldNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        timeouts.get(role).increment();
        acquireTimedOut.get(role).record(waitNanos, TimeUnit.NANOSECONDS);
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
        lastCheckpoint = result;
        checkpointDuration.record(result.durationNanos(), TimeUnit.NANOSECONDS);
        checkpoints.get(result.mode()).get(CheckpointOutcome.of(result)).increment();
    }

    @Override
    public void quickChecked(QuickCheckResult result) {
        (result.ok() ? quickChecksOk : quickChecksFailed).increment();
    }

    @Override
    public void transactionEnded(boolean committed, long durationNanos) {
        (committed ? commits : rollbacks).increment();
    }

    @Override
    public void writeLockWaited(long waitNanos) {
        writeLockWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    /** Detaches from the pool, stops sampling and removes every meter this binder registered. */
    @Override
    public synchronized void close() {
        pool.removeListener(this);
        compatibility.forEach(pool::removeListener);
        if (sampler != null) {
            sampler.close();
        }
        if (batches != null) {
            batches.close();
            batches = null;
        }
        if (meters != null) {
            meters.removeAll();
        }
    }
}
