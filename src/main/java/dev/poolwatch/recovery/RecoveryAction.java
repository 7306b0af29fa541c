package dev.poolwatch.recovery;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.CheckpointResult;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.QuickCheckResult;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The safe actions the recovery endpoint can run on a pool; {@link #tag()} is the value of the alerts'
 * {@code recovery_action} label. None of them touches data: the worst one (restart_pool) makes callers wait while
 * every connection is reopened. Each one first checks that the fault it answers is still there, because an alert
 * can arrive after its fault has gone; then it records "nothing to do" instead of acting.
 */
public enum RecoveryAction {
    /** Drain and reopen every connection, when the writer cannot write (a connection opened read-only stays so). */
    RESTART_POOL {
        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            String failure = writeProbeFailure(pool);
            if (failure == null) {
                return ActionResult.nothing("the writer can begin a write transaction and the database file is"
                        + " writable: a restart would only make callers wait", Map.of("writeProbe", "ok"));
            }
            pool.restart();
            return ActionResult.did(Map.of("writeProbe", failure));
        }
    },
    /** Close idle connections now and borrowed ones when they return. */
    EVICT_IDLE {
        @Override
        String nothingToDo(SqlitePool pool, ActionContext ctx) {
            PoolStats s = pool.stats();
            return s.writer().total() + s.reader().total() == 0 ? "the pool has no open connection" : null;
        }

        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) {
            return ActionResult.did(Map.of("evicted", pool.evictIdle()));
        }
    },
    /** Take back connections held past the reclaim age; their holders' open transactions are rolled back. */
    RECLAIM_LEAKS {
        @Override
        String nothingToDo(SqlitePool pool, ActionContext ctx) {
            SqlitePoolConfig c = pool.config();
            if (c.leakDetectionThreshold().isZero()) {
                return "leak detection is off on this pool, so no connection is a suspected leak";
            }
            if (c.leakReclaimTimeout().isZero()) {
                return "leakReclaimTimeout is off on this pool, so no connection may be taken back (a long transaction"
                        + " is never rolled back); set it above the longest legitimate transaction to allow reclaiming";
            }
            PoolStats s = pool.stats();
            long oldest = Math.max(s.writer().oldestBorrowNanos(), s.reader().oldestBorrowNanos());
            Duration age = reclaimAge(c);
            return oldest < age.toNanos() ? String.format(Locale.ROOT, "no connection has been held past %.1f s (the"
                    + " longest current borrow: %.1f s)", age.toMillis() / 1000.0, oldest / 1e9) : null;
        }

        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) {
            int reclaimed = pool.reclaimSuspectedLeaks();
            return reclaimed == 0 ? ActionResult.nothing("no connection was left to reclaim", Map.of("reclaimed", 0))
                    : ActionResult.did(Map.of("reclaimed", reclaimed));
        }
    },
    /** A TRUNCATE checkpoint: copies the WAL into the database and empties it, if no reader still needs it. */
    CHECKPOINT {
        @Override
        String nothingToDo(SqlitePool pool, ActionContext ctx) {
            long wal = pool.walSizeBytes();
            return wal <= SMALL_WAL_BYTES ? "the WAL is " + wal / 1024 + " KiB, within journal_size_limit (64 MiB),"
                    + " which ordinary checkpoints keep it to" : null;
        }

        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            long before = pool.walSizeBytes();
            CheckpointResult r = pool.checkpoint(CheckpointMode.TRUNCATE);
            if (!r.complete()) {
                throw new SQLException("TRUNCATE checkpoint could not finish: a reader still uses part of the WAL ("
                        + r.checkpointedFrames() + " of " + r.walFrames() + " frames copied)");
            }
            return ActionResult.did(Map.of("walBytesBefore", before, "walBytesAfter", pool.walSizeBytes(),
                    "frames", r.walFrames()));
        }
    },
    /** {@code PRAGMA optimize}: refresh the query planner's statistics. */
    OPTIMIZE {
        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            pool.optimize();
            return ActionResult.did(Map.of());
        }
    },
    /** Raise the reader limit by half (at least one), never above the configured ceiling. */
    RESIZE_UP {
        @Override
        String nothingToDo(SqlitePool pool, ActionContext ctx) {
            PoolStats.RoleStats r = pool.stats().reader();
            return r.pending() == 0 && r.active() < r.max() ? "no caller waits for a reader and " + (r.max()
                    - r.active()) + " of " + r.max() + " readers are free" : null;
        }

        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            int current = pool.config().maxReaders();
            int ceiling = ctx.settings().resizeCeiling();
            int target = Math.min(ceiling, Math.max(current + 1, current + current / 2));
            if (target <= current) {
                throw new SQLException("maxReaders is already " + current + ", at or above the resize ceiling "
                        + ceiling);
            }
            pool.resize(target);
            ctx.limits().raised(pool.name(), current, target, ctx.nowMs());
            return ActionResult.did(Map.of("maxReadersBefore", current, "maxReadersAfter", target));
        }
    },
    /** Return a reader limit raised by resize_up to the pool's configured size, once the pressure is gone. */
    RESIZE_DOWN {
        @Override
        String nothingToDo(SqlitePool pool, ActionContext ctx) {
            ReaderLimits.Raised r = ctx.limits().get(pool.name());
            if (r == null) {
                return "resize_up has not raised this pool's reader limit";
            }
            if (pool.config().maxReaders() != r.raisedTo()) {
                return "the reader limit is " + pool.config().maxReaders() + ", not the " + r.raisedTo()
                        + " resize_up set: someone else chose it";
            }
            return ReaderLimits.underPressure(pool.stats().reader(), r.configured())
                    ? "readers are still under pressure (callers waiting, or more than " + r.configured() + " in use)"
                    : null;
        }

        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) {
            ReaderLimits.Raised r = ctx.limits().get(pool.name());
            int current = pool.config().maxReaders();
            pool.resize(r.configured());
            ctx.limits().forget(pool.name());
            return ActionResult.did(Map.of("maxReadersBefore", current, "maxReadersAfter", r.configured()));
        }
    },
    /** {@code PRAGMA quick_check}: diagnostic only; a failure raises the corruption signal and repairs nothing. */
    QUICK_CHECK {
        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            QuickCheckResult r = pool.quickCheck();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", r.ok());
            out.put("problems", r.problems().stream().limit(20).toList());
            return ActionResult.did(out);
        }
    },
    /**
     * {@code PRAGMA incremental_vacuum} in bounded batches, only where the database has auto_vacuum=INCREMENTAL;
     * elsewhere it reports the free-list and why it does nothing (see {@link Vacuum}).
     */
    INCREMENTAL_VACUUM {
        @Override
        ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException {
            Map<String, Object> out = Vacuum.incremental(pool);
            return Boolean.TRUE.equals(out.get("vacuumed")) ? ActionResult.did(out)
                    : ActionResult.nothing(String.valueOf(out.getOrDefault("why", "nothing to vacuum")), out);
        }
    };

    /** journal_size_limit, which the pool sets: a WAL this small is one that ordinary checkpoints keep in check. */
    static final long SMALL_WAL_BYTES = 64L * 1024 * 1024;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }

    /** What an action may use besides the pool: the settings, the raised reader limits and the engine's clock. */
    record ActionContext(RecoverySettings settings, ReaderLimits limits, long nowMs) {
    }

    /** What a run did, for the audit trail, or why it found nothing to do. */
    record ActionResult(Map<String, Object> details, String nothingToDo) {
        static ActionResult did(Map<String, Object> details) {
            return new ActionResult(details, null);
        }

        static ActionResult nothing(String why, Map<String, Object> details) {
            return new ActionResult(details, why);
        }
    }

    /**
     * Why there is nothing to act on, judged from the pool's state without waiting for a connection (it is asked
     * while deciding and again just before running); null when the fault may be present.
     */
    String nothingToDo(SqlitePool pool, ActionContext ctx) {
        return null;
    }

    /** Runs the action; throws when it could not do its job. */
    abstract ActionResult run(SqlitePool pool, ActionContext ctx) throws SQLException;

    /**
     * The age past which {@link SqlitePool#reclaimSuspectedLeaks()} takes a borrow back: leakReclaimTimeout where it
     * is set, else the leak detection threshold.
     */
    static Duration reclaimAge(SqlitePoolConfig c) {
        return c.leakReclaimTimeout();
    }

    /** Null when the writer can begin a write transaction on a writable file, else what failed. */
    private static String writeProbeFailure(SqlitePool pool) {
        if (pool.state() == PoolState.CLOSED) {
            return "the pool is closed";
        }
        if (!Files.isWritable(pool.config().path())) {
            return "the database file is missing or not writable";
        }
        try {
            // BEGIN IMMEDIATE fails with SQLITE_READONLY on a connection opened while the file was read-only.
            pool.write(c -> null);
            return null;
        } catch (SQLException e) {
            return "a write transaction could not begin: " + e.getMessage();
        }
    }

    /** The action for a label value, or null when there is none (never guessed). */
    public static RecoveryAction fromTag(String tag) {
        for (RecoveryAction a : values()) {
            if (a.tag.equals(tag)) {
                return a;
            }
        }
        return null;
    }
}
