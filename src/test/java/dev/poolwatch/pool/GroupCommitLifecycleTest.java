package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Group commit under timeouts, interrupts, slow work, close() and restart(). */
@Timeout(60)
class GroupCommitLifecycleTest {

    @TempDir
    Path dir;

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the future to fail");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static SqlFunction<Object> marking(AtomicBoolean ran, long id) {
        return c -> {
            ran.set(true);
            insert(c, id);
            return null;
        };
    }

    @Test
    void callerTimedOutWhileQueuedIsWithdrawnAndItsWorkNeverRuns() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofMillis(300)).build())) {
            BatchGate gate = BatchGate.hold(pool);
            AtomicBoolean blockingRan = new AtomicBoolean();
            AtomicBoolean asyncRan = new AtomicBoolean();
            CompletableFuture<Object> async = pool.submit(marking(asyncRan, 2));
            long start = System.nanoTime();
            assertThatThrownBy(() -> pool.writeBatched(marking(blockingRan, 1))).isInstanceOf(PoolTimeoutException.class)
                    .hasMessageContaining("batched write did not start");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(pool.batchQueueDepth()).as("the timed-out caller left the queue").isEqualTo(1);
            gate.open();
            gate.held.get(10, TimeUnit.SECONDS);
            assertThat(failure(async)).as("queued past its timeout behind a slow batch").isInstanceOf(PoolTimeoutException.class);
            assertThat(blockingRan).isFalse();
            assertThat(asyncRan).isFalse();
            assertThat(count(pool)).isZero();
            assertThat(pool.<String>writeBatched(c -> "still works")).isEqualTo("still works");
        }
    }

    @Test
    void queuedWorkTimesOutOnTimeWhileAPlainWriteHoldsTheWriter() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofMillis(300)).build())) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            Thread holder = new Thread(() -> {
                try {
                    pool.write(c -> {
                        holding.countDown();
                        awaitLatch(letGo);
                        return null;
                    });
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            holder.start();
            holding.await();
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<Object> f = pool.submit(marking(ran, 1));
            assertThat(failure(f)).isInstanceOf(PoolTimeoutException.class);
            assertThat(holder.isAlive()).as("failed on its own deadline, not when the holder let go").isTrue();
            letGo.countDown();
            holder.join();
            assertThat(ran).isFalse();
            assertThat(pool.stats().writer().timeouts()).isPositive();
        }
    }

    @Test
    void callerInterruptedWhileQueuedIsWithdrawnKeepsItsInterruptAndItsWorkNeverRuns() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            BatchGate gate = BatchGate.hold(pool);
            AtomicBoolean ran = new AtomicBoolean();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    pool.writeBatched(marking(ran, 1));
                } catch (SQLException e) {
                    thrown.set(e);
                    flagKept.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            gate.awaitQueued(1);
            caller.interrupt();
            caller.join(5000);
            assertThat(thrown.get()).isInstanceOf(SQLTransientConnectionException.class).hasMessageContaining("interrupted");
            assertThat(flagKept).isTrue();
            assertThat(pool.batchQueueDepth()).isZero();
            gate.open();
            gate.held.get(10, TimeUnit.SECONDS);
            assertThat(ran).isFalse();
            assertThat(count(pool)).isZero();
        }
    }

    @Test
    void cancelWithdrawsQueuedWorkButCannotStopStartedWork() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            BatchGate gate = BatchGate.hold(pool);
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<Object> queued = pool.submit(marking(ran, 1));
            CompletableFuture<Object> timedOut = pool.submit(marking(ran, 2)).orTimeout(1, TimeUnit.MILLISECONDS);
            await(timedOut);
            assertThat(timedOut).isCompletedExceptionally();
            assertThat(pool.batchQueueDepth()).as("orTimeout withdrew its work").isEqualTo(1);
            assertThat(queued.cancel(true)).isTrue();
            assertThat(pool.batchQueueDepth()).isZero();
            assertThat(gate.held.cancel(true)).as("the gate's work is running").isFalse();
            assertThat(gate.held.completeExceptionally(new RuntimeException())).isFalse();
            gate.open();
            gate.held.get(10, TimeUnit.SECONDS);
            assertThat(pool.<String>writeBatched(c -> "after")).isEqualTo("after");
            assertThat(ran).isFalse();
            assertThat(count(pool)).isZero();
        }
    }

    private static void await(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return;
        }
    }

    @Test
    void longWorkCutsTheBatchTheRestGoInTheNextAndLeakDetectionSeesIt() throws Exception {
        List<String> leakThreads = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).maxBatchDuration(Duration.ofMillis(50))
                .leakDetectionThreshold(Duration.ofMillis(150)).build())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            pool.addListener(new PoolListener() {
                @Override
                public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
                    leakThreads.add(borrowerThread);
                }
            });
            BatchGate gate = BatchGate.hold(pool);
            CompletableFuture<Object> slow = pool.submit(c -> {
                insert(c, 1);
                sleep(600);
                return null;
            });
            AtomicBoolean slowAcknowledgedFirst = new AtomicBoolean();
            CompletableFuture<Object> next = pool.submit(c -> {
                slowAcknowledgedFirst.set(slow.isDone() && !slow.isCompletedExceptionally());
                insert(c, 2);
                return null;
            });
            CompletableFuture<Object> third = pool.submit(c -> {
                insert(c, 3);
                return null;
            });
            gate.awaitQueued(3);
            gate.open();
            CompletableFuture.allOf(slow, next, third).get(10, TimeUnit.SECONDS);
            assertThat(sizes).containsExactly(1, 1, 2);
            assertThat(slowAcknowledgedFirst).as("the slow caller's batch committed before the next one began").isTrue();
            assertThat(leakThreads).anySatisfy(t -> assertThat(t).isEqualTo("poolwatch-test-batch-writer"));
            assertThat(pool.stats().leaksSuspected()).isPositive();
            assertThat(count(pool)).isEqualTo(3);
        }
    }

    private static void sleep(long millis) throws SQLException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new SQLException(e);
        }
    }

    @Test
    void closeFailsQueuedCallersAndTheRunningBatchStillCommits() throws Exception {
        SqlitePoolConfig cfg = config(dir).closeTimeout(Duration.ofSeconds(5)).build();
        SqlitePool pool = openWithTable(cfg);
        List<CompletableFuture<Object>> queued = new ArrayList<>();
        CompletableFuture<Object> running;
        try {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch proceed = new CountDownLatch(1);
            running = pool.submit(c -> {
                insert(c, 1);
                started.countDown();
                awaitLatch(proceed);
                insert(c, 2);
                return null;
            });
            started.await();
            for (long id = 10; id < 13; id++) {
                queued.add(pool.submit(marking(new AtomicBoolean(), id)));
            }
            Thread closer = new Thread(pool::close);
            closer.start();
            for (CompletableFuture<Object> f : queued) {
                assertThat(failure(f)).isInstanceOf(PoolClosedException.class);
            }
            assertThat(running).as("the running batch is not cut off").isNotDone();
            proceed.countDown();
            running.get(10, TimeUnit.SECONDS);
            closer.join(10_000);
            assertThat(failure(pool.submit(c -> null))).isInstanceOf(PoolClosedException.class);
            assertThatThrownBy(() -> pool.writeBatched(c -> null)).isInstanceOf(PoolClosedException.class);
        } finally {
            pool.close();
        }
        try (SqlitePool reopened = openWithTable(cfg)) {
            assertThat(count(reopened)).as("the acknowledged batch, none of the failed callers").isEqualTo(2);
        }
    }

    private static void awaitLatch(CountDownLatch latch) throws SQLException {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new SQLException("latch never released");
            }
        } catch (InterruptedException e) {
            throw new SQLException(e);
        }
    }

    @Test
    void restartLetsQueuedCallersWaitAndThenRunOnTheNewConnections() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            BatchGate gate = BatchGate.hold(pool);
            List<CompletableFuture<Long>> queued = new ArrayList<>();
            for (long id = 1; id <= 3; id++) {
                long row = id;
                queued.add(pool.submit(c -> {
                    insert(c, row);
                    return pool.stats().restarts();
                }));
            }
            gate.awaitQueued(3);
            AtomicReference<Throwable> restartFailed = new AtomicReference<>();
            Thread restarter = new Thread(() -> {
                try {
                    pool.restart();
                } catch (SQLException e) {
                    restartFailed.set(e);
                }
            });
            restarter.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.state() != PoolState.RESTARTING && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertThat(pool.state()).isEqualTo(PoolState.RESTARTING);
            gate.open();
            for (CompletableFuture<Long> f : queued) {
                assertThat(f.get(10, TimeUnit.SECONDS)).as("ran after the restart").isEqualTo(1L);
            }
            restarter.join(10_000);
            assertThat(restartFailed.get()).isNull();
            gate.held.get(1, TimeUnit.SECONDS);
            assertThat(count(pool)).isEqualTo(3);
        }
    }
}
