package dev.poolwatch.store;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.CheckpointResult;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.QuickCheckResult;
import dev.poolwatch.pool.Role;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a pool's callbacks into events in the store. Timeouts and errors come in bursts, so each (role) or (kind)
 * yields at most one event per {@link #BURST_WINDOW_NANOS}, carrying how many happened since the previous one;
 * periodic PASSIVE checkpoints and constraint errors (the caller's business, not the pool's health) are not recorded.
 */
public final class PoolEventRecorder implements PoolListener {

    static final long BURST_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String pool;
    private final EventStore store;
    private final Map<Role, Burst> timeouts = new EnumMap<>(Role.class);
    private final Map<ErrorKind, Burst> errors = new EnumMap<>(ErrorKind.class);

    /** Counts occurrences and lets one through per window. */
    private static final class Burst {
        private final AtomicLong count = new AtomicLong();
        private final AtomicLong lastEmitNanos = new AtomicLong(System.nanoTime() - 2 * BURST_WINDOW_NANOS);

        /** Returns how many to report now (including this one), or 0 to stay quiet. */
        long hit() {
            long n = count.incrementAndGet();
            long now = System.nanoTime();
            long last = lastEmitNanos.get();
            if (now - last >= BURST_WINDOW_NANOS && lastEmitNanos.compareAndSet(last, now)) {
                count.addAndGet(-n);
                return n;
            }
            return 0;
        }
    }

    public PoolEventRecorder(String pool, EventStore store) {
        this.pool = pool;
        this.store = store;
        for (Role r : Role.values()) {
            timeouts.put(r, new Burst());
        }
        for (ErrorKind k : ErrorKind.values()) {
            errors.put(k, new Burst());
        }
    }

    private void record(String kind, Severity severity, String message, Map<String, Object> details) {
        store.record(Event.of(pool, kind, severity, message, details));
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        long n = timeouts.get(role).hit();
        if (n > 0) {
            record("timeouts", Severity.WARNING, n + " " + role.tag() + " acquire(s) timed out",
                    Map.of("role", role.tag(), "count", n, "waitedMs", TimeUnit.NANOSECONDS.toMillis(waitNanos)));
        }
    }

    @Override
    public void error(Role role, ErrorKind kind, SQLException cause) {
        if (kind == ErrorKind.CONSTRAINT) {
            return;
        }
        long n = errors.get(kind).hit();
        if (n > 0) {
            Severity severity = kind == ErrorKind.FULL || kind == ErrorKind.READONLY || kind == ErrorKind.CORRUPT
                    ? Severity.CRITICAL : Severity.WARNING;
            record("error", severity, n + " " + kind.tag() + " error(s) on " + role.tag() + " connections",
                    Map.of("role", role.tag(), "errorKind", kind.tag(), "count", n,
                            "lastMessage", String.valueOf(cause.getMessage())));
        }
    }

    @Override
    public void resized(int oldMaxReaders, int newMaxReaders) {
        record("resize", Severity.INFO, "readers resized from " + oldMaxReaders + " to " + newMaxReaders,
                Map.of("from", oldMaxReaders, "to", newMaxReaders));
    }

    @Override
    public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("role", role.tag());
        details.put("heldMs", TimeUnit.NANOSECONDS.toMillis(heldNanos));
        details.put("thread", borrowerThread);
        if (borrowSite != null) {
            details.put("borrowedAt", Arrays.stream(borrowSite.getStackTrace()).limit(12)
                    .map(StackTraceElement::toString).toList());
        }
        record("leak", Severity.WARNING, "a " + role.tag() + " connection has been held for "
                + TimeUnit.NANOSECONDS.toMillis(heldNanos) + " ms by thread '" + borrowerThread + "'", details);
    }

    @Override
    public void leakReclaimed(Role role, long heldNanos) {
        record("leak_reclaimed", Severity.WARNING, "a leaked " + role.tag() + " connection was taken back after "
                + TimeUnit.NANOSECONDS.toMillis(heldNanos) + " ms", Map.of("role", role.tag(),
                "heldMs", TimeUnit.NANOSECONDS.toMillis(heldNanos)));
    }

    @Override
    public void restarted(long durationNanos) {
        record("restart", Severity.INFO, "pool restarted in " + TimeUnit.NANOSECONDS.toMillis(durationNanos) + " ms",
                Map.of("durationMs", TimeUnit.NANOSECONDS.toMillis(durationNanos)));
    }

    @Override
    public void stateChanged(PoolState from, PoolState to) {
        if (from == PoolState.RESTARTING || to == PoolState.RESTARTING) {
            return;
        }
        record("state", to == PoolState.CLOSED ? Severity.WARNING : Severity.INFO,
                "pool state changed from " + from.tag() + " to " + to.tag(), Map.of("from", from.tag(), "to", to.tag()));
    }

    @Override
    public void checkpointed(CheckpointResult result) {
        if (result.mode() == CheckpointMode.PASSIVE) {
            return;
        }
        record("checkpoint", result.complete() ? Severity.INFO : Severity.WARNING,
                result.mode().name() + " checkpoint " + (result.complete() ? "completed" : "could not finish: readers"
                        + " still use part of the WAL"),
                Map.of("mode", result.mode().name(), "busy", result.busy(), "walFrames", result.walFrames(),
                        "checkpointedFrames", result.checkpointedFrames()));
    }

    @Override
    public void quickChecked(QuickCheckResult result) {
        record("quick_check", result.ok() ? Severity.INFO : Severity.CRITICAL,
                result.ok() ? "quick_check passed" : "quick_check found problems: the database may be corrupt",
                Map.of("ok", result.ok(), "problems", result.problems().stream().limit(20).toList(),
                        "durationMs", TimeUnit.NANOSECONDS.toMillis(result.durationNanos())));
    }
}
