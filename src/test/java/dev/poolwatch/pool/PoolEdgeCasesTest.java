package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;

/** What a clumsy caller leaves behind on a borrowed connection, and lifecycle races at the pool's edges. */
class PoolEdgeCasesTest {

    @TempDir
    Path dir;

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void savepointInAutoCommitModeIsRolledBackWhenTheConnectionIsReturned() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            try (Connection c = pool.writer().getConnection()) {
                c.setSavepoint();
                insert(c, 1);
            }
            pool.write(c -> {
                insert(c, 2);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
            pool.write(c -> {
                insert(c, 3);
                return null;
            });
            assertThat(count(pool)).isEqualTo(2);
        }
    }

    @Test
    void rawBeginLeftOpenIsRolledBackOnReturn() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            try (Connection c = pool.writer().getConnection(); Statement s = c.createStatement()) {
                s.execute("  begin immediate");
                insert(c, 1);
            }
            pool.write(c -> {
                insert(c, 2);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void closeDuringRestartLeavesNoPhysicalConnectionOpen() throws Exception {
        for (int trial = 0; trial < 5; trial++) {
            Path sub = dir.resolve("t" + trial);
            SqlitePool pool = openWithTable(config(sub).minReaders(2).closeTimeout(Duration.ofMillis(300)).build());
            Connection held = pool.reader().getConnection();
            Thread restarter = new Thread(() -> {
                try {
                    pool.restart();
                } catch (SQLException expected) {
                    // closed underneath: fine
                }
            });
            restarter.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.state() == PoolState.RESTARTING);
            pool.close();
            held.close();
            restarter.join(5_000);
            assertThat(restarter.isAlive()).isFalse();
            PoolStats s = pool.stats();
            assertThat(s.writer().connectionsCreated()).as("writer, trial " + trial)
                    .isEqualTo(s.writer().connectionsClosed());
            assertThat(s.reader().connectionsCreated()).as("readers, trial " + trial)
                    .isEqualTo(s.reader().connectionsClosed());
        }
    }

    @Test
    void unclosedMetadataResultSetDoesNotPinASnapshotForTheNextBorrower() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(1).build())) {
            try (Connection c = pool.reader().getConnection()) {
                DatabaseMetaData md = c.getMetaData();
                ResultSet tables = md.getTables(null, null, "%", null);
                assertThat(tables.next()).isTrue();
            }
            pool.write(c -> {
                insert(c, 1);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
            assertThat(pool.checkpoint(CheckpointMode.TRUNCATE).complete()).isTrue();
        }
    }

    @Test
    void everythingReachableFromAPooledConnectionLeadsBackToIt() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build());
             Connection c = pool.reader().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1");
             ResultSet rs = ps.executeQuery()) {
            assertThat(ps.getConnection()).isSameAs(c);
            assertThat(rs.getStatement()).isSameAs(ps);
            assertThat(c.getMetaData().getConnection()).isSameAs(c);
            try (ResultSet t = c.getMetaData().getTables(null, null, "%", null)) {
                assertThat(t.getStatement()).isNull();
            }
            assertThatThrownBy(() -> c.unwrap(Runnable.class)).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> ps.unwrap(Runnable.class)).isInstanceOf(SQLException.class);
            assertThat(c.isWrapperFor(SQLiteConnection.class)).isTrue();
            assertThat(c.isWrapperFor(Runnable.class)).isFalse();
        }
    }

    @Test
    void statementsDieWithTheirConnection() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            Connection c = pool.reader().getConnection();
            PreparedStatement ps = c.prepareStatement("SELECT 1");
            c.close();
            assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> c.createStatement()).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void abortDiscardsTheConnectionInsteadOfReturningIt() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            long closedBefore = pool.stats().writer().connectionsClosed();
            Connection c = pool.writer().getConnection();
            ExecutorService executor = Executors.newSingleThreadExecutor();
            try {
                c.abort(executor);
            } finally {
                executor.shutdown();
                executor.awaitTermination(5, TimeUnit.SECONDS);
            }
            assertThat(c.isClosed()).isTrue();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> pool.stats().writer().connectionsClosed() == closedBefore + 1);
            pool.write(w -> {
                insert(w, 1);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void foreignKeysAndQueryOnlyChangedByACallerAreNotSeenByTheNext() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            try (Connection c = pool.writer().getConnection(); Statement s = c.createStatement()) {
                s.execute("PRAGMA foreign_keys = OFF");
                s.execute("PRAGMA query_only = ON");
            }
            pool.write(c -> {
                assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
                assertThat(pragma(c, "query_only")).isEqualTo("0");
                insert(c, 1);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void attachedDatabasesTempTablesAndBusyTimeoutDoNotOutliveTheBorrow() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).busyTimeout(Duration.ofSeconds(4)).build())) {
            try (Connection c = pool.writer().getConnection(); Statement s = c.createStatement()) {
                s.execute("ATTACH DATABASE '" + dir.resolve("other.db") + "' AS other");
                s.execute("CREATE TEMP TABLE scratch (x)");
                c.unwrap(SQLiteConnection.class).setBusyTimeout(1);
            }
            pool.write(c -> {
                List<String> names = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA database_list")) {
                    while (rs.next()) {
                        names.add(rs.getString(2));
                    }
                }
                assertThat(names).doesNotContain("other");
                assertThatThrownBy(() -> c.createStatement().executeQuery("SELECT * FROM scratch"))
                        .isInstanceOf(SQLException.class);
                assertThat(pragma(c, "busy_timeout")).isEqualTo("4000");
                return null;
            });
        }
    }

    @Test
    void nestedWriteOnTheSameThreadFailsAtOnceAndSaysWhy() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofSeconds(20)).build())) {
            assertThatThrownBy(() -> pool.write(c -> pool.write(inner -> null)))
                    .isInstanceOf(SQLException.class)
                    .isNotInstanceOf(PoolTimeoutException.class)
                    .hasMessageContaining("already holds the writer");
            assertThatThrownBy(() -> pool.write(c -> {
                try (Connection again = pool.writer().getConnection()) {
                    return null;
                }
            })).isInstanceOf(SQLException.class).hasMessageContaining("already holds the writer");
            pool.write(c -> {
                insert(c, 1);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void threadWithItsInterruptFlagSetStillBorrowsAnIdleConnection() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            Thread.currentThread().interrupt();
            try {
                assertThat(count(pool)).isZero();
                pool.write(c -> {
                    insert(c, 1);
                    return null;
                });
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void callersWaitingOnAPausedPoolAreCountedAsPending() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.pause();
            CountDownLatch started = new CountDownLatch(2);
            ExecutorService ex = Executors.newFixedThreadPool(2);
            try {
                Future<Long> r = ex.submit(() -> {
                    started.countDown();
                    return count(pool);
                });
                Future<Object> w = ex.submit(() -> {
                    started.countDown();
                    return pool.write(c -> null);
                });
                started.await();
                await().atMost(Duration.ofSeconds(5)).until(() ->
                        pool.stats().reader().pending() == 1 && pool.stats().writer().pending() == 1);
                pool.resume();
                assertThat(r.get(5, TimeUnit.SECONDS)).isZero();
                w.get(5, TimeUnit.SECONDS);
                assertThat(pool.stats().reader().pending()).isZero();
                assertThat(pool.stats().writer().pending()).isZero();
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void exceptionWhileResettingAReturnedConnectionStillFreesTheWriter() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).acquireTimeout(Duration.ofSeconds(2)).build())) {
            Connection c = pool.writer().getConnection();
            ((ProxyConnection) c).track(() -> {
                throw new IllegalStateException("a statement that fails to close");
            });
            c.close();
            PoolTestSupport.onOtherThread(x -> pool.write(w -> {
                insert(w, 1);
                return null;
            }));
            assertThat(count(pool)).isEqualTo(1);
            assertThat(pool.stats().writer().connectionsClosed()).isEqualTo(1);
        }
    }

    @Test
    void reclaimingABorrowThatEndedLeavesTheNextBorrowOfTheSameConnectionAlone() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(1).build())) {
            ProxyConnection first = (ProxyConnection) pool.reader().getConnection();
            first.close();
            try (Connection second = pool.reader().getConnection()) {
                assertThat(((ProxyConnection) second).entry).isSameAs(first.entry);
                assertThat(first.reclaim()).isFalse();
                assertThat(count(second)).isZero();
            }
            assertThat(pool.stats().leaksReclaimed()).isZero();
        }
    }

    @Test
    void reclaimedWriteIsNeverCommitted() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            CountDownLatch inside = new CountDownLatch(1);
            CountDownLatch reclaimed = new CountDownLatch(1);
            ExecutorService ex = Executors.newSingleThreadExecutor();
            try {
                Future<Object> write = ex.submit(() -> pool.write(c -> {
                    insert(c, 1);
                    inside.countDown();
                    try {
                        reclaimed.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                }));
                inside.await();
                ProxyConnection holder = pool.writerHolderForTest();
                assertThat(pool.reclaim(holder)).isTrue();
                reclaimed.countDown();
                assertThatThrownBy(() -> write.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(SQLException.class)
                        .hasMessageContaining("reclaimed");
            } finally {
                ex.shutdownNow();
            }
            assertThat(count(pool)).isZero();
            pool.write(c -> {
                insert(c, 2);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void transactionControlSqlIsRefusedInsideWriteEveryTime() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.write(c -> {
                assertThatThrownBy(() -> c.prepareStatement("COMMIT")).hasMessageContaining("not allowed");
                try (Statement s = c.createStatement()) {
                    for (int i = 0; i < 2; i++) {
                        assertThatThrownBy(() -> s.execute("commit")).hasMessageContaining("not allowed");
                        assertThatThrownBy(() -> s.execute("/* x */ BEGIN")).hasMessageContaining("not allowed");
                        assertThatThrownBy(() -> s.execute("SELECT 1; END")).hasMessageContaining("not allowed");
                    }
                    s.execute("SAVEPOINT mine");
                    insert(c, 1);
                    s.execute("ROLLBACK TO mine");
                    s.execute("RELEASE mine");
                }
                insert(c, 2);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }
}
