package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;

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
