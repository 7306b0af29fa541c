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
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeakDetectionTest {

    @TempDir
    Path dir;

    private record Leak(Role role, String thread, Throwable site) {
    }

    @Test
    void leakIsReportedOncePerLeakedConnectionWithTheBorrowSite() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).leakDetectionThreshold(Duration.ofMillis(100))
                .leakDetectionStackTraces(true).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
                    leaks.add(new Leak(role, borrowerThread, borrowSite));
                }
            });
            Connection writer = pool.writer().getConnection();
            Connection reader = pool.reader().getConnection();
            await().atMost(Duration.ofSeconds(5)).until(() -> leaks.size() == 2);
            Thread.sleep(300);
            assertThat(leaks).hasSize(2);
            assertThat(leaks).extracting(Leak::role).containsExactlyInAnyOrder(Role.WRITER, Role.READER);
            assertThat(leaks).allSatisfy(l -> {
                assertThat(l.thread()).isEqualTo(Thread.currentThread().getName());
                assertThat(l.site().getStackTrace()).anySatisfy(frame ->
                        assertThat(frame.getMethodName()).isEqualTo("leakIsReportedOncePerLeakedConnectionWithTheBorrowSite"));
            });
            assertThat(pool.stats().leaksSuspected()).isEqualTo(2);
            writer.close();
            reader.close();
            Thread.sleep(300);
            assertThat(leaks).hasSize(2);
        }
    }

    @Test
    void withoutBorrowSitesTheReportShowsWhereTheHolderIsNow() throws Exception {
        List<Leak> leaks = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).leakDetectionThreshold(Duration.ofMillis(100)).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
                    leaks.add(new Leak(role, borrowerThread, borrowSite));
                }
            });
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread holder = new Thread(() -> holdConnectionUntil(pool, release), "slow-holder");
            holder.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> leaks.size() == 1);
            release.countDown();
            holder.join(5000);
            assertThat(leaks.get(0).thread()).isEqualTo("slow-holder");
            assertThat(leaks.get(0).site().getMessage()).contains("leakDetectionStackTraces(true)");
            assertThat(leaks.get(0).site().getStackTrace()).anySatisfy(frame ->
                    assertThat(frame.getMethodName()).isEqualTo("holdConnectionUntil"));
        }
    }

    private static void holdConnectionUntil(SqlitePool pool, java.util.concurrent.CountDownLatch release) {
        try (Connection c = pool.writer().getConnection()) {
            release.await();
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shortBorrowIsNeverReported() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).leakDetectionThreshold(Duration.ofMillis(300)).build())) {
            for (int i = 0; i < 20; i++) {
                count(pool);
                Thread.sleep(20);
            }
            assertThat(pool.stats().leaksSuspected()).isZero();
        }
    }

    @Test
    void reclaimTakesTheConnectionBackAndRollsBackTheLeakersWork() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).leakDetectionThreshold(Duration.ofMillis(100))
                .leakReclaimTimeout(Duration.ofMillis(300)).acquireTimeout(Duration.ofSeconds(5)).build())) {
            Connection leaked = pool.writer().getConnection();
            leaked.setAutoCommit(false);
            insert(leaked, 1);
            assertThat(pool.reclaimSuspectedLeaks()).as("younger than leakReclaimTimeout").isZero();
            Thread.sleep(400);
            assertThat(pool.stats().leaksReclaimed()).as("the pool never reclaims by itself").isZero();
            assertThat(pool.reclaimSuspectedLeaks()).isEqualTo(1);
            PoolTestSupport.onOtherThread(x -> pool.write(c -> {
                insert(c, 2);
                return null;
            }));
            assertThat(pool.stats().leaksReclaimed()).isEqualTo(1);
            assertThatThrownBy(() -> insert(leaked, 3)).isInstanceOf(SQLException.class);
            leaked.close();
            assertThat(count(pool)).isEqualTo(1);
            await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
                PoolStats.RoleStats w = pool.stats().writer();
                assertConsistent(w);
                assertThat(w.active()).isZero();
            });
        }
    }

    @Test
    void eachLeakIsOneLogLineAndABorrowSitesTraceIsLoggedOnce() throws Exception {
        ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LeakDetector.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender =
                new ch.qos.logback.core.read.ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (SqlitePool pool = openWithTable(config(dir).leakDetectionThreshold(Duration.ofMillis(100))
                .leakDetectionStackTraces(true).build())) {
            for (int i = 0; i < 2; i++) {
                Connection leaked = borrowHere(pool);
                long before = pool.stats().leaksSuspected();
                await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().leaksSuspected() == before + 1);
                leaked.close();
            }
        } finally {
            logger.detachAppender(appender);
        }
        List<ch.qos.logback.classic.spi.ILoggingEvent> leaks = appender.list.stream()
                .filter(e -> e.getFormattedMessage().contains("connection leak suspected")).toList();
        assertThat(leaks).hasSize(2);
        assertThat(leaks.get(0).getThrowableProxy()).isNotNull();
        assertThat(leaks.get(1).getThrowableProxy()).isNull();
        assertThat(leaks.get(1).getFormattedMessage()).contains("borrowed at").contains("borrowHere");
    }

    private static Connection borrowHere(SqlitePool pool) throws SQLException {
        return pool.reader().getConnection();
    }
}
