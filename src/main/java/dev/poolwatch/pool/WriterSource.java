package dev.poolwatch.pool;

import java.sql.SQLException;

/**
 * Where group commit gets the writer for one batch: the only way {@link GroupCommit} reaches the pool, so the pool's
 * admission can change underneath it. Today {@link SqlitePool} borrows like {@code write()} does.
 */
@FunctionalInterface
interface WriterSource {

    /**
     * Waits at most {@code timeoutNanos} for the writer, with the same rules as a caller of {@code write()}: fails with
     * {@link PoolTimeoutException}, {@link PoolClosedException}, or the pool's error when no connection can be opened.
     */
    WriterLease acquire(long timeoutNanos) throws SQLException;
}
