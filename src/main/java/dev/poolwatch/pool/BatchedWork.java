package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One caller's work queued for group commit, and the future that tells its outcome. It completes only after the
 * batch's COMMIT returned (or failed), or with the work's own exception once its savepoint was rolled back.
 * Cancelling it, or completing it from outside (as {@code orTimeout} does), withdraws it only while it is still
 * queued: work a batch has started is never abandoned halfway, its future tells what the batch did.
 */
final class BatchedWork<T> extends CompletableFuture<T> {

    private final GroupCommit owner;
    private final SqlFunction<T> work;
    final long queuedNanos;
    final long deadlineNanos;
    private T result;

    BatchedWork(GroupCommit owner, SqlFunction<T> work, long queuedNanos, long deadlineNanos) {
        this.owner = owner;
        this.work = work;
        this.queuedNanos = queuedNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /** Runs the work on the batch's connection and keeps its result for {@link #acknowledge()}. */
    void run(Connection c) throws SQLException {
        result = work.apply(c);
    }

    /** The batch committed. */
    void acknowledge() {
        super.complete(result);
    }

    void fail(Throwable cause) {
        super.completeExceptionally(cause);
    }

    /**
     * Waits for the outcome like {@code write()} waits for the writer: at most acquireTimeout until the work starts,
     * then until its batch ended. Timed out or interrupted while still queued, the work is withdrawn and never runs;
     * once started, it is waited for to the end (an interrupt is kept for afterwards).
     */
    T await() throws SQLException {
        boolean interrupted = false;
        boolean started = false;
        try {
            for (;;) {
                try {
                    return started ? get() : get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    if (owner.withdraw(this)) {
                        throw owner.timedOut(this, System.nanoTime());
                    }
                    started = true;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (!started && owner.withdraw(this)) {
                        throw new SQLTransientConnectionException("pool '" + owner.poolName() + "' - interrupted while"
                                + " batched work waited for the writer; it was withdrawn and did not run", "08001", e);
                    }
                    started = true;
                } catch (ExecutionException e) {
                    throw rethrow(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static SQLException rethrow(Throwable cause) {
        if (cause instanceof SQLException) {
            return (SQLException) cause;
        }
        if (cause instanceof RuntimeException) {
            throw (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new SQLException("batched work failed: " + cause, cause);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return owner.withdraw(this) && super.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean complete(T value) {
        return owner.withdraw(this) && super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
        return owner.withdraw(this) && super.completeExceptionally(ex);
    }

    /** Stages derived from this one are plain futures, not queued work. */
    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
