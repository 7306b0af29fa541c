package dev.poolwatch.pool;

import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of a pool. Each role's connections are counted in one pass, without stopping borrows or returns, so
 * {@code active + idle == total} always holds within a {@link RoleStats} and the figures are those of a moment.
 *
 * @param lastCompleteCheckpoint when a checkpoint last copied the whole WAL into the database, or null if never
 */
public record PoolStats(
        String pool,
        PoolState state,
        RoleStats writer,
        RoleStats reader,
        Map<ErrorKind, Long> errors,
        long leaksSuspected,
        long leaksReclaimed,
        long restarts,
        long databaseSizeBytes,
        long walSizeBytes,
        Instant lastCompleteCheckpoint) {

    public PoolStats {
        errors = Map.copyOf(errors);
    }

    public RoleStats role(Role role) {
        return role == Role.WRITER ? writer : reader;
    }

    /**
     * The numbers of one role. Counters ({@code acquires} …) count since the pool opened.
     *
     * @param oldestBorrowNanos how long the longest current borrow has been held, 0 when none is; for readers this
     *                          is the age of the oldest read snapshot, which is what keeps a checkpoint from finishing
     */
    public record RoleStats(
            int total, int active, int idle, int pending, int max, int min,
            long acquires, long timeouts, long connectionsCreated, long connectionsClosed, long oldestBorrowNanos) {
    }
}
