package dev.poolwatch.pool;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteCommitListener;

/**
 * Group commit: callers queue their write work, and one writer thread per pool runs whatever is queued when the writer
 * becomes free (oldest first, up to maxBatchOperations, taking no more once maxBatchDuration has passed) inside one
 * {@code BEGIN IMMEDIATE} … {@code COMMIT}, each caller's work in its own {@code SAVEPOINT}. A caller is told success
 * only after that COMMIT returned; work that throws is rolled back to its savepoint and fails alone; a failed COMMIT
 * fails every caller of the batch. With nothing queued the thread sleeps on the queue, not on a timer, so a lone caller
 * waits no longer than for a plain write.
 */
final class GroupCommit implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

    private final String poolName;
    private final WriterSource source;
    private final Supplier<SqlitePoolConfig> config;
    private final Supplier<PoolListener> listener;
    /** Unguessable, so that no caller's own savepoint names collide with it by accident. */
    private final String savepoint;
    private final String savepointSql;
    private final String releaseSql;
    private final String rollbackToSql;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    private final ArrayDeque<BatchedWork<?>> queue = new ArrayDeque<>();
    private Thread writer;
    private boolean closed;

    GroupCommit(String poolName, WriterSource source, Supplier<SqlitePoolConfig> config,
                Supplier<PoolListener> listener) {
        this.poolName = poolName;
        this.source = source;
        this.config = config;
        this.listener = listener;
        this.savepoint = String.format(Locale.ROOT, "poolwatch_batch_%016x", new SecureRandom().nextLong());
        this.savepointSql = "SAVEPOINT " + savepoint;
        this.releaseSql = "RELEASE " + savepoint;
        this.rollbackToSql = "ROLLBACK TO " + savepoint;
    }

    /** Queues {@code work} for the next batch; a closed pool gives a future failed with {@link PoolClosedException}. */
    <T> BatchedWork<T> submit(SqlFunction<T> work) {
        long now = System.nanoTime();
        BatchedWork<T> w = new BatchedWork<>(this, work, now, now + config.get().acquireTimeout().toNanos());
        lock.lock();
        try {
            if (closed) {
                w.fail(new PoolClosedException(poolName));
                return w;
            }
            if (Thread.currentThread() == writer) {
                w.fail(new SQLException("pool '" + poolName + "' - batched work cannot queue more batched work: it"
                        + " runs on the batch writer, which would wait for itself", "0A000"));
                return w;
            }
            if (writer == null) {
                writer = new Thread(this::runBatches, "poolwatch-" + poolName + "-batch-writer");
                writer.setDaemon(true);
                writer.start();
            }
            queue.addLast(w);
            if (queue.size() == 1) {
                queued.signal();
            }
        } finally {
            lock.unlock();
        }
        return w;
    }

    /** Takes {@code w} out of the queue if it is still there; false once a batch started it (or it ended). */
    boolean withdraw(BatchedWork<?> w) {
        lock.lock();
        try {
            return queue.remove(w);
        } finally {
            lock.unlock();
        }
    }

    String poolName() {
        return poolName;
    }

    int queueDepth() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Fails every queued caller with {@link PoolClosedException}; a batch already running finishes or fails whole. */
    @Override
    public void close() {
        List<BatchedWork<?>> left;
        lock.lock();
        try {
            closed = true;
            left = new ArrayList<>(queue);
            queue.clear();
            queued.signalAll();
        } finally {
            lock.unlock();
        }
        for (BatchedWork<?> w : left) {
            w.fail(new PoolClosedException(poolName));
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void runBatches() {
        for (;;) {
            List<BatchedWork<?>> expired = new ArrayList<>(0);
            long now;
            long headDeadline;
            lock.lock();
            try {
                while (queue.isEmpty() && !closed) {
                    queued.awaitUninterruptibly();
                }
                if (closed) {
                    return;
                }
                now = System.nanoTime();
                headDeadline = takeOverdue(now, expired);
            } finally {
                lock.unlock();
            }
            for (BatchedWork<?> w : expired) {
                w.fail(timedOut(w, now));
            }
            if (headDeadline == Long.MIN_VALUE) {
                continue;
            }
            WriterLease lease;
            try {
                lease = source.acquire(Math.max(0, headDeadline - System.nanoTime()));
            } catch (PoolTimeoutException e) {
                continue;
            } catch (SQLException | RuntimeException e) {
                failNextBatch(e);
                continue;
            }
            try {
                runBatch(lease);
            } catch (RuntimeException | Error e) {
                log.error("pool '{}' group commit failed unexpectedly; its callers were failed", poolName, e);
            } finally {
                lease.release();
            }
        }
    }

    /**
     * Under the lock: moves queued work whose acquire timeout has passed to {@code expired} (failed outside the lock,
     * since failing runs the callers' callbacks); returns the earliest deadline left, or MIN_VALUE if none is.
     */
    private long takeOverdue(long now, List<BatchedWork<?>> expired) {
        long earliest = Long.MIN_VALUE;
        for (Iterator<BatchedWork<?>> it = queue.iterator(); it.hasNext(); ) {
            BatchedWork<?> w = it.next();
            if (w.deadlineNanos - now <= 0) {
                it.remove();
                expired.add(w);
            } else if (earliest == Long.MIN_VALUE || w.deadlineNanos - earliest < 0) {
                earliest = w.deadlineNanos;
            }
        }
        return earliest;
    }

    PoolTimeoutException timedOut(BatchedWork<?> w, long now) {
        long waited = now - w.queuedNanos;
        listener.get().timedOut(Role.WRITER, waited);
        return new PoolTimeoutException("pool '" + poolName + "' - batched write did not start, request timed out"
                + " after " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms (writer busy or unavailable, "
                + queueDepth() + " batched writes queued)", Role.WRITER);
    }

    /** The writer could not be had for a reason other than time: the callers the batch would have taken fail. */
    private void failNextBatch(Exception cause) {
        int n = config.get().maxBatchOperations();
        List<BatchedWork<?>> batch = new ArrayList<>();
        lock.lock();
        try {
            while (batch.size() < n && !queue.isEmpty()) {
                batch.add(queue.pollFirst());
            }
        } finally {
            lock.unlock();
        }
        for (BatchedWork<?> w : batch) {
            w.fail(cause);
        }
    }

    private BatchedWork<?> claimNext() {
        lock.lock();
        try {
            return queue.pollFirst();
        } finally {
            lock.unlock();
        }
    }

    /** Notices a COMMIT or ROLLBACK while callers' work runs: SQLite's own after some errors, or one that slipped by. */
    private static final class TransactionWatch implements SQLiteCommitListener {
        volatile boolean ended;

        @Override
        public void onCommit() {
            ended = true;
        }

        @Override
        public void onRollback() {
            ended = true;
        }
    }

    private void runBatch(WriterLease lease) {
        SqlitePoolConfig c = config.get();
        PoolListener l = listener.get();
        int limit = Math.min(c.maxBatchOperations(), queueDepth());
        long maxNanos = c.maxBatchDuration().toNanos();
        long begin = System.nanoTime();
        try {
            lease.exec("BEGIN IMMEDIATE");
        } catch (SQLException e) {
            failNextBatch(e);
            return;
        }
        long began = System.nanoTime();
        l.writeLockWaited(began - begin);
        TransactionWatch watch = new TransactionWatch();
        lease.raw().addCommitListener(watch);
        List<BatchedWork<?>> done = new ArrayList<>();
        BatchedWork<?> current = null;
        int ran = 0;
        try {
            while (ran < limit && (ran == 0 || System.nanoTime() - began < maxNanos)) {
                BatchedWork<?> w = claimNext();
                if (w == null) {
                    break;
                }
                current = w;
                ran++;
                l.batchQueueWaited(System.nanoTime() - w.queuedNanos);
                SQLException broken = runOne(lease, w, watch);
                if (broken != null) {
                    abandon(lease, done, broken, began);
                    return;
                }
                if (!w.isDone()) {
                    done.add(w);
                }
                current = null;
            }
            long commitStart = System.nanoTime();
            try {
                lease.exec("COMMIT");
            } catch (SQLException e) {
                abandon(lease, done, e, began);
                return;
            }
            long committed = System.nanoTime();
            l.transactionEnded(true, committed - began);
            l.batchCommitted(ran, committed - commitStart);
            for (BatchedWork<?> w : done) {
                w.acknowledge();
            }
        } catch (RuntimeException | Error e) {
            if (current != null) {
                done.add(current);
            }
            abandon(lease, done, new SQLException("group commit failed unexpectedly: " + e, e), began);
            throw e;
        } finally {
            lease.raw().removeCommitListener(watch);
        }
    }

    /**
     * Runs one caller's work in its own savepoint. Returns null when the batch can go on (the work succeeded, or
     * failed and was rolled back to its savepoint); otherwise the reason the whole transaction is lost.
     */
    private SQLException runOne(WriterLease lease, BatchedWork<?> w, TransactionWatch watch) {
        try {
            lease.exec(savepointSql);
        } catch (SQLException e) {
            w.fail(e);
            return e;
        }
        BatchItemView view = new BatchItemView(lease.callerView(), savepoint);
        Throwable thrown = null;
        try {
            w.run(view.connection());
        } catch (Throwable e) {
            // Whatever the work throws fails that caller alone, checked exceptions thrown sneakily included.
            thrown = e;
        } finally {
            view.end();
            restoreDriverAutoCommit(lease);
        }
        if (watch.ended) {
            SQLException lost = new SQLException("the batch's transaction ended while batched work ran"
                    + (thrown != null ? " (SQLite rolled it back after: " + thrown.getMessage() + ")"
                    : " (the work ended it behind the pool's back)"), "40000",
                    thrown instanceof SQLException ? ((SQLException) thrown).getErrorCode() : 0, thrown);
            w.fail(thrown != null ? thrown : lost);
            return lost;
        }
        try {
            if (thrown != null) {
                lease.exec(rollbackToSql);
            }
            lease.exec(releaseSql);
        } catch (SQLException e) {
            if (thrown != null) {
                thrown.addSuppressed(e);
            }
            w.fail(thrown != null ? thrown : e);
            return e;
        }
        if (thrown != null) {
            w.fail(thrown);
        }
        return null;
    }

    /**
     * JDBC {@code setSavepoint()} turns the driver's auto-commit flag off by itself; left so, the driver would commit
     * the shared transaction on its own later. The pool runs the transaction itself, so the flag goes back unexecuted.
     */
    private static void restoreDriverAutoCommit(WriterLease lease) {
        if (!lease.raw().getConnectionConfig().isAutoCommit()) {
            lease.raw().getConnectionConfig().setAutoCommit(true);
        }
    }

    /** The transaction is lost or did not commit: nobody whose work was in it is told success. */
    private void abandon(WriterLease lease, List<BatchedWork<?>> done, SQLException cause, long began) {
        try {
            lease.exec("ROLLBACK");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                lease.discard();
                cause.addSuppressed(e);
            }
        }
        listener.get().transactionEnded(false, System.nanoTime() - began);
        log.warn("pool '{}' group commit batch not committed, {} callers failed: {}", poolName, done.size(),
                cause.getMessage());
        for (BatchedWork<?> w : done) {
            w.fail(new SQLException("pool '" + poolName + "' - batched write not committed: " + cause.getMessage(),
                    cause.getSQLState(), cause.getErrorCode(), cause));
        }
    }
}
