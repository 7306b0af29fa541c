package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.assertConsistent;
import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class PoolConcurrencyTest {

    @TempDir
    Path dir;

    /** Runs mixed work on {@code threads} threads until {@code stop} is set; returns the ids whose writes committed. */
    private static List<Future<?>> mixedLoad(SqlitePool pool, ExecutorService exec, int threads, AtomicBoolean stop,
                                             AtomicLong nextId, Set<Long> committed, List<Throwable> errors) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(exec.submit(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.get()) {
                    try {
                        if (rnd.nextInt(100) < 30) {
                            long id = nextId.incrementAndGet();
                            pool.write(c -> {
                                insert(c, id);
                                return null;
                            });
                            committed.add(id);
                        } else {
                            pool.read(c -> {
                                try (Statement s = c.createStatement();
                                     ResultSet rs = s.executeQuery("SELECT max(id), count(*) FROM item")) {
                                    rs.next();
                                    return rs.getLong(2);
                                }
                            });
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }
                return null;
            }));
        }
        return futures;
    }

    @Test
    void twentyFiveThreadsOfMixedWorkGetNoErrorAndLoseNoCommit() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            ExecutorService exec = Executors.newFixedThreadPool(25);
            AtomicBoolean stop = new AtomicBoolean();
            Set<Long> committed = ConcurrentHashMap.newKeySet();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Future<?>> futures = mixedLoad(pool, exec, 25, stop, new AtomicLong(), committed, errors);
            Thread.sleep(3000);
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            exec.shutdown();
            assertThat(errors).isEmpty();
            assertThat(committed).isNotEmpty();
            assertThat(count(pool)).isEqualTo(committed.size());
            assertThat(pool.stats().errors().values()).allMatch(n -> n == 0);
            assertConsistent(pool.stats().writer());
            assertConsistent(pool.stats().reader());
            assertThat(pool.stats().writer().pending()).isZero();
        }
    }

    private static void sleepUntil(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void longReadDoesNotBlockWritersOrCauseBusy() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.write(c -> {
                for (int i = 1; i <= 100; i++) {
                    insert(c, i);
                }
                return null;
            });
            CountDownLatch reading = new CountDownLatch(1);
            CountDownLatch writesDone = new CountDownLatch(1);
            ExecutorService exec = Executors.newSingleThreadExecutor();
            Future<Long> longRead = exec.submit(() -> pool.read(c -> {
                c.setAutoCommit(false);
                long before = count(c);
                reading.countDown();
                sleepUntil(writesDone);
                long after = count(c);
                assertThat(after).as("a read transaction keeps its snapshot").isEqualTo(before);
                return before;
            }));
            assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 101; i <= 300; i++) {
                long id = i;
                pool.write(c -> {
                    insert(c, id);
                    return null;
                });
            }
            writesDone.countDown();
            assertThat(longRead.get(10, TimeUnit.SECONDS)).isEqualTo(100);
            exec.shutdown();
            assertThat(count(pool)).isEqualTo(300);
            assertThat(pool.stats().errors().get(ErrorKind.BUSY)).isZero();
        }
    }

    @Test
    void writerIsHandedToWaitersInArrivalOrder() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            List<Integer> order = Collections.synchronizedList(new ArrayList<>());
            Connection held = pool.writer().getConnection();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                Thread t = new Thread(() -> {
                    try {
                        pool.write(c -> {
                            order.add(n);
                            return null;
                        });
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                t.start();
                await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().writer().pending() == n + 1);
                waiters.add(t);
            }
            held.close();
            for (Thread t : waiters) {
                t.join(10_000);
            }
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void timedOutWaiterLeavesNoPermitBehind() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofMillis(100)).build())) {
            Connection held = pool.writer().getConnection();
            long start = System.nanoTime();
            assertThatThrownBy(() -> PoolTestSupport.onOtherThread(x -> pool.write(c -> null)))
                    .isInstanceOf(PoolTimeoutException.class)
                    .hasMessageContaining("pool 'test' - writer connection not available, request timed out after")
                    .hasMessageContaining("total=1, active=1, idle=0");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            held.close();
            PoolStats.RoleStats w = pool.stats().writer();
            assertThat(w.timeouts()).isEqualTo(1);
            assertThat(w.pending()).isZero();
            assertThat(w.idle()).isEqualTo(1);
            assertConsistent(w);
            try (Connection a = pool.writer().getConnection()) {
                assertThat(a.isClosed()).isFalse();
            }
        }
    }

    @Test
    void interruptedWaiterLeavesNoPermitBehind() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            Connection held = pool.writer().getConnection();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            Thread waiter = new Thread(() -> {
                try {
                    pool.write(c -> null);
                } catch (SQLException e) {
                    failures.add(e);
                }
            });
            waiter.start();
            await().until(() -> pool.stats().writer().pending() == 1);
            waiter.interrupt();
            waiter.join(5000);
            assertThat(failures).singleElement().satisfies(e ->
                    assertThat(e).hasMessageContaining("interrupted while waiting for a writer connection"));
            held.close();
            assertThat(pool.stats().writer().pending()).isZero();
            Integer one = pool.write(c -> 1);
            assertThat(one).isEqualTo(1);
            assertConsistent(pool.stats().writer());
        }
    }

    @Test
    void stormOfTimeoutsAndInterruptsKeepsCountsConsistent() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(2).acquireTimeout(Duration.ofMillis(20)).build())) {
            ExecutorService exec = Executors.newFixedThreadPool(16);
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(exec.submit(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        try {
                            SqlFunction<Object> work = c -> {
                                c.isValid(1);
                                return null;
                            };
                            if (rnd.nextBoolean()) {
                                pool.write(work);
                            } else {
                                pool.read(work);
                            }
                        } catch (SQLException e) {
                            Thread.interrupted();
                        }
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 200; i++) {
                Thread.sleep(5);
                exec.submit(() -> Thread.currentThread().interrupt());
            }
            stop.set(true);
            exec.shutdownNow();
            assertThat(exec.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                PoolStats s = pool.stats();
                assertThat(s.writer().active()).isZero();
                assertThat(s.reader().active()).isZero();
                assertThat(s.writer().pending()).isZero();
                assertThat(s.reader().pending()).isZero();
            });
            assertConsistent(pool.stats().writer());
            assertConsistent(pool.stats().reader());
            dev.poolwatch.reliability.Figures.record("Interrupts and timeouts storm", "16 threads borrowing with a"
                    + " 20 ms acquire timeout while 200 random interrupts land", 200, "no permit, no connection, no"
                    + " deadlock; counts consistent afterwards");
            List<Connection> all = new ArrayList<>();
            all.add(pool.writer().getConnection());
            all.add(pool.reader().getConnection());
            all.add(pool.reader().getConnection());
            for (Connection c : all) {
                c.close();
            }
        }
    }

    @Test
    void restartUnderLoadLosesNothing() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(4).build())) {
            ExecutorService exec = Executors.newFixedThreadPool(10);
            AtomicBoolean stop = new AtomicBoolean();
            Set<Long> committed = ConcurrentHashMap.newKeySet();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Future<?>> futures = mixedLoad(pool, exec, 10, stop, new AtomicLong(), committed, errors);
            for (int i = 0; i < 5; i++) {
                Thread.sleep(200);
                pool.restart();
            }
            Thread.sleep(200);
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            exec.shutdown();
            assertThat(errors).isEmpty();
            assertThat(pool.stats().restarts()).isEqualTo(5);
            assertThat(pool.state()).isEqualTo(PoolState.OPEN);
            assertThat(count(pool)).isEqualTo(committed.size());
            assertConsistent(pool.stats().writer());
            assertConsistent(pool.stats().reader());
        }
    }

    @Test
    void closeFailsPendingWaitersAtOnce() throws Exception {
        SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofMillis(200)).build());
        Connection held = pool.writer().getConnection();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Thread t = new Thread(() -> {
                try {
                    pool.write(c -> null);
                } catch (SQLException e) {
                    failures.add(e);
                }
            });
            t.start();
            waiters.add(t);
        }
        await().until(() -> pool.stats().writer().pending() == 3);
        long start = System.nanoTime();
        pool.close();
        for (Thread t : waiters) {
            t.join(5000);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(failures).hasSize(3).allSatisfy(e -> assertThat(e).isInstanceOf(PoolClosedException.class));
        assertThat(held.isClosed()).isTrue();
        assertThatThrownBy(held::createStatement).isInstanceOf(SQLException.class);
    }

    @Test
    void pauseHoldsCallersUntilResume() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.pause();
            assertThat(pool.state()).isEqualTo(PoolState.PAUSED);
            ExecutorService exec = Executors.newSingleThreadExecutor();
            Future<Long> read = exec.submit(() -> count(pool));
            Thread.sleep(200);
            assertThat(read.isDone()).isFalse();
            pool.resume();
            assertThat(read.get(5, TimeUnit.SECONDS)).isZero();
            assertThat(pool.state()).isEqualTo(PoolState.OPEN);
            exec.shutdown();
        }
    }
}
