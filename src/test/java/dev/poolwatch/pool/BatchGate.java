package dev.poolwatch.pool;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Holds a pool's batch writer inside a first batch, so that work submitted meanwhile queues and forms the next batch
 * exactly: what the batching policy does becomes deterministic instead of a matter of thread timing.
 */
final class BatchGate {
    private final SqlitePool pool;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);
    final CompletableFuture<Void> held;

    private BatchGate(SqlitePool pool) throws InterruptedException {
        this.pool = pool;
        this.held = pool.submit(c -> {
            running.countDown();
            try {
                if (!open.await(30, TimeUnit.SECONDS)) {
                    throw new SQLException("gate never opened");
                }
            } catch (InterruptedException e) {
                throw new SQLException(e);
            }
            return null;
        });
        if (!running.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the batch writer never started the gate");
        }
    }

    static BatchGate hold(SqlitePool pool) throws InterruptedException {
        return new BatchGate(pool);
    }

    /** Waits until {@code n} batched writes are queued behind the gate. */
    void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (pool.batchQueueDepth() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + pool.batchQueueDepth() + " of " + n + " batched writes queued");
            }
            Thread.sleep(2);
        }
    }

    void open() {
        open.countDown();
    }

    /** Records the size of every committed batch. */
    static List<Integer> batchSizes(SqlitePool pool) {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        pool.addListener(new PoolListener() {
            @Override
            public void batchCommitted(int size, long commitNanos) {
                sizes.add(size);
            }
        });
        return sizes;
    }
}
