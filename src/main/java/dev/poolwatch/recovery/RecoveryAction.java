package dev.poolwatch.recovery;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.CheckpointResult;
import dev.poolwatch.pool.QuickCheckResult;
import dev.poolwatch.pool.SqlitePool;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The safe actions the recovery endpoint can run on a pool; {@link #tag()} is the value of the alerts'
 * {@code recovery_action} label. None of them touches data: the worst one (restart_pool) makes callers wait while
 * every connection is reopened.
 */
public enum RecoveryAction {
    /** Drain and reopen every connection. */
    RESTART_POOL {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            pool.restart();
            return Map.of();
        }
    },
    /** Close idle connections now and borrowed ones when they return. */
    EVICT_IDLE {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) {
            return Map.of("evicted", pool.evictIdle());
        }
    },
    /** Take back connections already reported as leaked; their holders' open transactions are rolled back. */
    RECLAIM_LEAKS {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) {
            return Map.of("reclaimed", pool.reclaimSuspectedLeaks());
        }
    },
    /** A TRUNCATE checkpoint: copies the WAL into the database and empties it, if no reader still needs it. */
    CHECKPOINT {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            long before = pool.walSizeBytes();
            CheckpointResult r = pool.checkpoint(CheckpointMode.TRUNCATE);
            if (!r.complete()) {
                throw new SQLException("TRUNCATE checkpoint could not finish: a reader still uses part of the WAL ("
                        + r.checkpointedFrames() + " of " + r.walFrames() + " frames copied)");
            }
            return Map.of("walBytesBefore", before, "walBytesAfter", pool.walSizeBytes(),
                    "frames", r.walFrames());
        }
    },
    /** {@code PRAGMA optimize}: refresh the query planner's statistics. */
    OPTIMIZE {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            pool.optimize();
            return Map.of();
        }
    },
    /** Raise the reader limit by half (at least one), never above the configured ceiling. */
    RESIZE_UP {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            int current = pool.config().maxReaders();
            int target = Math.min(settings.resizeCeiling(), Math.max(current + 1, current + current / 2));
            if (target <= current) {
                throw new SQLException("maxReaders is already " + current + ", at or above the resize ceiling "
                        + settings.resizeCeiling());
            }
            pool.resize(target);
            return Map.of("maxReadersBefore", current, "maxReadersAfter", target);
        }
    },
    /** {@code PRAGMA quick_check}: diagnostic only; a failure raises the corruption signal and repairs nothing. */
    QUICK_CHECK {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            QuickCheckResult r = pool.quickCheck();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ok", r.ok());
            out.put("problems", r.problems().stream().limit(20).toList());
            return out;
        }
    },
    /**
     * {@code PRAGMA incremental_vacuum} in bounded batches, only where the database has auto_vacuum=INCREMENTAL;
     * elsewhere it reports the free-list and why it does nothing (see {@link Vacuum}).
     */
    INCREMENTAL_VACUUM {
        @Override
        Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException {
            return Vacuum.incremental(pool);
        }
    };

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }

    /** Runs the action and returns what it did, for the audit trail; throws when it could not do its job. */
    abstract Map<String, Object> run(SqlitePool pool, RecoverySettings settings) throws SQLException;

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
