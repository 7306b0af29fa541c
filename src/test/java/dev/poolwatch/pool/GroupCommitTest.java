package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/** What callers of submit()/writeBatched() are promised about batching, order and each other's failures. */
@Timeout(60)
class GroupCommitTest {

    @TempDir
    Path dir;

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            f.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected the future to fail, it completed with success");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the future did not complete", e);
        }
    }

    /** Batches are never cut by time, so which callers share one depends only on the queue (a cold JIT is slow). */
    private SqlitePoolConfig patient() {
        return config(dir).maxBatchDuration(Duration.ofSeconds(10)).build();
    }

    private static List<Long> ids(SqlitePool pool) throws SQLException {
        return pool.read(c -> {
            List<Long> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM item ORDER BY id")) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
    }

    @Test
    void loneCallerIsCommittedAtOnceInABatchOfItsOwn() throws Exception {
        // With a 10 s batch duration, any wait for company would make 20 calls take minutes and hit the timeout.
        try (SqlitePool pool = openWithTable(config(dir).maxBatchDuration(Duration.ofSeconds(10)).build())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            for (long id = 1; id <= 20; id++) {
                long row = id;
                Long written = pool.writeBatched(c -> {
                    insert(c, row);
                    return row;
                });
                assertThat(written).isEqualTo(row);
                assertThat(sizes).as("committed before the call returned").hasSize((int) id);
            }
            assertThat(sizes).containsOnly(1);
            assertThat(count(pool)).isEqualTo(20);
        }
    }

    @Test
    void workQueuedWhileTheWriterIsBusyRunsAsOneBatchInArrivalOrder() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            List<Integer> order = new CopyOnWriteArrayList<>();
            BatchGate gate = BatchGate.hold(pool);
            List<CompletableFuture<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                futures.add(pool.submit(c -> {
                    order.add(n);
                    insert(c, n);
                    return n;
                }));
            }
            gate.awaitQueued(10);
            assertThat(futures).noneMatch(CompletableFuture::isDone);
            gate.open();
            for (int i = 0; i < 10; i++) {
                assertThat(futures.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
            }
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
            assertThat(sizes).containsExactly(1, 10);
        }
    }

    @Test
    void batchTakesAtMostMaxBatchOperationsAndTheRestFollowInOrder() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxBatchOperations(4).maxBatchDuration(Duration.ofSeconds(10)).build())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            List<Integer> order = new CopyOnWriteArrayList<>();
            BatchGate gate = BatchGate.hold(pool);
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                futures.add(pool.submit(c -> order.add(n)));
            }
            gate.awaitQueued(10);
            gate.open();
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertThat(sizes).containsExactly(1, 4, 4, 2);
            assertThat(order).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
    }

    @Test
    void batchLimitsChangeLiveWithReconfigure() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            pool.reconfigure(pool.config().toBuilder().maxBatchOperations(2).build());
            BatchGate gate = BatchGate.hold(pool);
            List<CompletableFuture<Object>> futures = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                futures.add(pool.submit(c -> null));
            }
            gate.awaitQueued(5);
            gate.open();
            CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
            assertThat(sizes).containsExactly(1, 2, 2, 1);
        }
    }

    @Test
    void concurrentCallersShareTransactionsAndEveryAcknowledgedWriteIsThere() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            int threads = 8;
            int each = 150;
            List<Thread> workers = new ArrayList<>();
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            AtomicInteger acknowledged = new AtomicInteger();
            for (int t = 0; t < threads; t++) {
                int base = t * each;
                workers.add(new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        long id = base + i;
                        try {
                            pool.writeBatched(c -> {
                                insert(c, id);
                                return null;
                            });
                            acknowledged.incrementAndGet();
                        } catch (SQLException | RuntimeException e) {
                            errors.add(e);
                        }
                    }
                }));
            }
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
            assertThat(errors).isEmpty();
            assertThat(acknowledged.get()).isEqualTo(threads * each);
            assertThat(count(pool)).isEqualTo(threads * each);
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(threads * each);
            assertThat(sizes.size()).as("batches for %d writes", threads * each).isLessThan(threads * each);
        }
    }

    @Test
    void workThatThrowsFailsWithItsOwnExceptionAndLeavesTheRestOfTheBatchCommitted() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            BatchGate gate = BatchGate.hold(pool);
            CompletableFuture<Object> first = pool.submit(c -> {
                insert(c, 1);
                return "one";
            });
            SQLException own = new SQLException("the caller's own failure");
            CompletableFuture<Object> throwsSql = pool.submit(c -> {
                insert(c, 2);
                throw own;
            });
            CompletableFuture<Object> violates = pool.submit(c -> {
                insert(c, 3);
                insert(c, 1);
                return "never";
            });
            IllegalStateException bug = new IllegalStateException("a bug in the caller");
            CompletableFuture<Object> throwsRuntime = pool.submit(c -> {
                insert(c, 4);
                throw bug;
            });
            CompletableFuture<Object> last = pool.submit(c -> {
                insert(c, 5);
                return "five";
            });
            gate.awaitQueued(5);
            gate.open();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("one");
            assertThat(last.get(10, TimeUnit.SECONDS)).isEqualTo("five");
            assertThat(failure(throwsSql)).isSameAs(own);
            assertThat(failure(violates)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(ErrorKind.classify(e)).isEqualTo(ErrorKind.CONSTRAINT));
            assertThat(failure(throwsRuntime)).isSameAs(bug);
            assertThatThrownBy(() -> pool.writeBatched(c -> {
                insert(c, 6);
                throw own;
            })).as("writeBatched throws the work's own exception").isSameAs(own);
            assertThat(sizes).startsWith(1, 5);
            assertThat(ids(pool)).containsExactly(1L, 5L);
        }
    }

    @Test
    void transactionControlIsRefusedAndNeverEndsTheSharedTransaction() throws Exception {
        List<String> forbidden = List.of("COMMIT", "end transaction", "  /* sneaky */ ROLLBACK", "-- x\nrollback",
                "BEGIN IMMEDIATE");
        try (SqlitePool pool = openWithTable(patient())) {
            List<Integer> sizes = BatchGate.batchSizes(pool);
            BatchGate gate = BatchGate.hold(pool);
            CompletableFuture<Object> before = pool.submit(c -> {
                insert(c, 1);
                return null;
            });
            List<CompletableFuture<Object>> refused = new ArrayList<>();
            long id = 100;
            refused.add(pool.submit(c -> {
                insert(c, 10);
                c.commit();
                return null;
            }));
            refused.add(pool.submit(c -> {
                insert(c, 11);
                c.rollback();
                return null;
            }));
            refused.add(pool.submit(c -> {
                insert(c, 12);
                c.setAutoCommit(false);
                return null;
            }));
            refused.add(pool.submit(c -> {
                insert(c, 13);
                return c.unwrap(SQLiteConnection.class);
            }));
            for (String sql : forbidden) {
                long row = id++;
                refused.add(pool.submit(c -> {
                    insert(c, row);
                    try (Statement s = c.createStatement()) {
                        return s.execute(sql);
                    }
                }));
                long prepared = id++;
                refused.add(pool.submit(c -> {
                    insert(c, prepared);
                    return c.prepareStatement(sql).execute();
                }));
            }
            CompletableFuture<Object> after = pool.submit(c -> {
                insert(c, 2);
                return null;
            });
            gate.awaitQueued(refused.size() + 2);
            gate.open();
            before.get(10, TimeUnit.SECONDS);
            after.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Object> f : refused) {
                assertThat(failure(f)).isInstanceOf(SQLException.class).hasMessageContaining("not allowed in batched work");
            }
            assertThat(sizes).containsExactly(1, refused.size() + 2);
            assertThat(ids(pool)).as("only the well-behaved callers' rows").containsExactly(1L, 2L);
        }
    }

    @Test
    void transactionControlAfterAnotherStatementInTheSameStringIsRefusedToo() throws Exception {
        // sqlite-jdbc runs every statement of the string, so checking the first one only would let this COMMIT by.
        try (SqlitePool pool = openWithTable(patient())) {
            BatchGate gate = BatchGate.hold(pool);
            CompletableFuture<Object> before = pool.submit(c -> {
                insert(c, 1);
                return null;
            });
            CompletableFuture<Object> sneaky = pool.submit(c -> {
                try (Statement s = c.createStatement()) {
                    return s.execute("INSERT INTO item (id, value) VALUES (2, 'x'); COMMIT");
                }
            });
            CompletableFuture<Object> sneakyUpdate = pool.submit(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO item (id, value) VALUES (3, 'y'); ROLLBACK");
                }
            });
            CompletableFuture<Object> after = pool.submit(c -> {
                insert(c, 4);
                return null;
            });
            gate.awaitQueued(4);
            gate.open();
            CompletableFuture.allOf(before, after).get(10, TimeUnit.SECONDS);
            assertThat(failure(sneaky)).hasMessageContaining("COMMIT is not allowed in batched work");
            assertThat(failure(sneakyUpdate)).hasMessageContaining("ROLLBACK is not allowed in batched work");
            assertThat(ids(pool)).containsExactly(1L, 4L);
        }
    }

    @Test
    void ownSavepointsNestInsideTheBatchAndLeaveTheConnectionInAutoCommit() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            BatchGate gate = BatchGate.hold(pool);
            CompletableFuture<Object> jdbc = pool.submit(c -> {
                insert(c, 1);
                Savepoint sp = c.setSavepoint();
                insert(c, 2);
                c.rollback(sp);
                insert(c, 3);
                c.releaseSavepoint(c.setSavepoint("mine"));
                return null;
            });
            CompletableFuture<Object> raw = pool.submit(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("SAVEPOINT mine");
                    insert(c, 4);
                    s.execute("ROLLBACK TO mine");
                    insert(c, 5);
                    s.execute("RELEASE SAVEPOINT mine");
                }
                return null;
            });
            CompletableFuture<Object> next = pool.submit(c -> {
                insert(c, 6);
                return null;
            });
            gate.awaitQueued(3);
            gate.open();
            CompletableFuture.allOf(jdbc, raw, next).get(10, TimeUnit.SECONDS);
            assertThat(ids(pool)).containsExactly(1L, 3L, 5L, 6L);
            boolean driverAutoCommit = pool.write(
                    c -> c.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig().isAutoCommit());
            assertThat(driverAutoCommit)
                    .as("the driver's auto-commit flag, which the driver's setSavepoint() would turn off, is on").isTrue();
        }
    }

    @Test
    void connectionAndStatementsOfBatchedWorkAreDeadAfterIt() throws Exception {
        try (SqlitePool pool = openWithTable(patient())) {
            java.sql.Connection[] kept = new java.sql.Connection[1];
            Statement[] open = new Statement[1];
            pool.writeBatched(c -> {
                kept[0] = c;
                open[0] = c.createStatement();
                return null;
            });
            assertThat(open[0].isClosed()).as("left-open statements are closed after the work").isTrue();
            assertThatThrownBy(() -> kept[0].createStatement()).isInstanceOf(SQLException.class)
                    .hasMessageContaining("has ended");
            assertThatThrownBy(() -> pool.writeBatched(c -> pool.writeBatched(inner -> null)))
                    .as("batched work queueing batched work would wait for itself")
                    .isInstanceOf(SQLException.class).hasMessageContaining("would wait for itself");
        }
    }
}
