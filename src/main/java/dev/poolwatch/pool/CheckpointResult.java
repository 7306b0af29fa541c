package dev.poolwatch.pool;

/**
 * The three numbers of {@code PRAGMA wal_checkpoint}: whether it was blocked, how many frames the WAL holds and how
 * many of them are now in the database file, and how long it took. Frame counts are -1 when the database is not in
 * WAL mode.
 */
public record CheckpointResult(CheckpointMode mode, boolean busy, int walFrames, int checkpointedFrames,
                               long durationNanos) {

    public CheckpointResult(CheckpointMode mode, boolean busy, int walFrames, int checkpointedFrames) {
        this(mode, busy, walFrames, checkpointedFrames, 0);
    }

    /** Whether every frame of the WAL reached the database file, so readers no longer pin any of it. */
    public boolean complete() {
        return !busy && walFrames == checkpointedFrames;
    }
}
