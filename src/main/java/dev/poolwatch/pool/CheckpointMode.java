package dev.poolwatch.pool;

/** The modes of {@code PRAGMA wal_checkpoint}, from least to most disruptive. */
public enum CheckpointMode {
    /** Copies what it can without waiting for readers or the writer. */
    PASSIVE,
    /** Waits for the writer, then copies everything readers allow. */
    FULL,
    /** Like FULL, then waits for readers so the next writer restarts the WAL from the beginning. */
    RESTART,
    /** Like RESTART, and truncates the WAL file to zero bytes. */
    TRUNCATE
}
