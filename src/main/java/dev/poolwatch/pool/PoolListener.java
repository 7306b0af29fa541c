package dev.poolwatch.pool;

import java.sql.SQLException;

/**
 * Callbacks on what a pool does, for metrics, logs and diagnostics. Every method has an empty default, so a listener
 * overrides only what it needs. Callbacks run on the thread that caused them, often on the hot path of acquire and
 * release: they must be quick and must not block or call back into the pool. An exception a callback throws is logged
 * and otherwise ignored.
 */
public interface PoolListener {

    /** Why a physical connection was closed. */
    enum CloseReason {
        /** Idle longer than idleTimeout while more than minReaders were open. */
        IDLE,
        /** Older than maxLifetime. */
        LIFETIME,
        /** Closed underneath the pool, failed validation or raised an I/O or corruption error. */
        BROKEN,
        /** Dropped by {@link SqlitePool#evictIdle()}, {@link SqlitePool#restart()} or a shrinking resize. */
        EVICTED,
        /** Taken back from a holder that kept it past leakReclaimTimeout. */
        RECLAIMED,
        /** The pool was closed. */
        POOL_CLOSED
    }

    /** A caller got a connection after waiting {@code waitNanos}. */
    default void acquired(Role role, long waitNanos) {}

    /** A caller gave back a connection it held for {@code heldNanos}. */
    default void released(Role role, long heldNanos) {}

    /** A caller gave up after waiting {@code waitNanos} without getting a connection. */
    default void timedOut(Role role, long waitNanos) {}

    /** A physical connection was opened in {@code creationNanos}. */
    default void connectionCreated(Role role, long creationNanos) {}

    /** A physical connection was closed. */
    default void connectionClosed(Role role, CloseReason reason) {}

    /** The reader limit changed. */
    default void resized(int oldMaxReaders, int newMaxReaders) {}

    /** A connection has been held longer than leakDetectionThreshold; reported once per borrow. */
    default void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {}

    /** A leaked connection was taken back by force after leakReclaimTimeout. */
    default void leakReclaimed(Role role, long heldNanos) {}

    /** SQLite reported an error on a connection of this pool. */
    default void error(Role role, ErrorKind kind, SQLException cause) {}

    /** {@link SqlitePool#restart()} finished in {@code durationNanos}. */
    default void restarted(long durationNanos) {}

    /** The pool moved from one life-cycle state to another. */
    default void stateChanged(PoolState from, PoolState to) {}

    /** A WAL checkpoint ran. */
    default void checkpointed(CheckpointResult result) {}

    /** {@link SqlitePool#quickCheck()} ran. */
    default void quickChecked(QuickCheckResult result) {}

    /**
     * A transaction on the writer ended, committed or rolled back, {@code durationNanos} after it began. Tells
     * commits from rollbacks, which the acquire and usage timers cannot.
     */
    default void transactionEnded(boolean committed, long durationNanos) {}

    /**
     * The writer, already holding the pool's writer permit, waited {@code waitNanos} for SQLite's own write lock
     * (busy handler) before its {@code BEGIN IMMEDIATE} returned. In-process queueing never shows here: this is time
     * spent behind another process or a connection outside the pool.
     */
    default void writeLockWaited(long waitNanos) {}

    /**
     * Group commit ({@link SqlitePool#submit}, {@link SqlitePool#writeBatched}): a caller's work started in a batch
     * after waiting {@code waitNanos} in the queue (for the writer, and for the work queued before it).
     */
    default void batchQueueWaited(long waitNanos) {}

    /**
     * A group-commit batch committed: it ran {@code size} callers' work (those whose work threw included: they shared
     * the transaction) and its {@code COMMIT} took {@code commitNanos}, the fsync at synchronous=FULL. A batch that
     * did not commit shows as {@link #transactionEnded} with {@code committed} false.
     */
    default void batchCommitted(int size, long commitNanos) {}
}
