package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.assertConsistent;
import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LiveOperationsTest {

    @TempDir
    Path dir;

    private static void fill(SqlitePool pool, int from, int to) throws Exception {
        pool.write(c -> {
            for (int i = from; i < to; i++) {
                insert(c, i);
            }
            return null;
        });
    }

    @Test
    void resizeUpLetsMoreReadersInAndDownClosesTheExcessOnReturn() throws Exception {
        List<int[]> resizes = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(2).acquireTimeout(Duration.ofMillis(100)).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void resized(int oldMaxReaders, int newMaxReaders) {
                    resizes.add(new int[] {oldMaxReaders, newMaxReaders});
                }
            });
            List<Connection> held = new ArrayList<>();
            held.add(pool.reader().getConnection());
            held.add(pool.reader().getConnection());
            assertThatThrownBy(() -> pool.reader().getConnection()).isInstanceOf(PoolTimeoutException.class);
            pool.resize(4);
            held.add(pool.reader().getConnection());
            held.add(pool.reader().getConnection());
            assertThat(pool.stats().reader().total()).isEqualTo(4);
            pool.resize(1);
            assertThat(pool.config().maxReaders()).isEqualTo(1);
            for (Connection c : held) {
                c.close();
            }
            PoolStats.RoleStats r = pool.stats().reader();
            assertThat(r.total()).isEqualTo(1);
            assertThat(r.max()).isEqualTo(1);
            assertConsistent(r);
            try (Connection one = pool.reader().getConnection()) {
                assertThatThrownBy(() -> pool.reader().getConnection()).isInstanceOf(PoolTimeoutException.class);
            }
            assertThat(resizes).extracting(a -> a[0] + "->" + a[1]).containsExactly("2->4", "4->1");
            assertThatThrownBy(() -> pool.resize(0)).hasMessage("maxReaders must be between 1 and 1000, was 0");
        }
    }

    @Test
    void reconfigureChangesLiveFieldsAndRefusesFixedOnes() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            SqlitePoolConfig next = pool.config().toBuilder().acquireTimeout(Duration.ofMillis(50))
                    .idleTimeout(Duration.ofSeconds(1)).leakDetectionThreshold(Duration.ofSeconds(2)).maxReaders(3).build();
            pool.reconfigure(next);
            assertThat(pool.config()).isSameAs(next);
            assertThat(pool.stats().reader().max()).isEqualTo(3);
            try (Connection held = pool.writer().getConnection()) {
                assertThatThrownBy(() -> PoolTestSupport.onOtherThread(x -> pool.writer().getConnection()))
                        .hasMessageContaining("timed out after");
            }
            SqlitePoolConfig fixed = pool.config().toBuilder().busyTimeout(Duration.ofSeconds(1)).build();
            assertThatThrownBy(() -> pool.reconfigure(fixed)).hasMessageStartingWith("busyTimeout cannot change");
            assertThat(pool.config()).isSameAs(next);
        }
    }

    @Test
    void evictIdleClosesIdleNowAndBorrowedOnReturn() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(3).minReaders(2).build())) {
            Connection borrowed = pool.reader().getConnection();
            long closedBefore = pool.stats().reader().connectionsClosed();
            int evicted = pool.evictIdle();
            assertThat(evicted).isEqualTo(2);
            borrowed.close();
            assertThat(pool.stats().reader().connectionsClosed()).isEqualTo(closedBefore + 2);
            assertThat(count(pool)).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().reader().total() >= 2
                    && pool.stats().writer().total() == 1);
        }
    }

    @Test
    void truncateCheckpointEmptiesTheWal() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).checkpointInterval(Duration.ZERO).walAutoCheckpoint(0)
                .build())) {
            for (int i = 0; i < 20; i++) {
                fill(pool, i * 100, i * 100 + 100);
            }
            assertThat(pool.walSizeBytes()).isPositive();
            assertThat(pool.stats().lastCompleteCheckpoint()).isNull();
            CheckpointResult r = pool.checkpoint(CheckpointMode.TRUNCATE);
            assertThat(r.complete()).isTrue();
            assertThat(pool.walSizeBytes()).isZero();
            assertThat(pool.stats().lastCompleteCheckpoint()).isNotNull();
            assertThat(count(pool)).isEqualTo(2000);
        }
    }

    @Test
    void readerHoldingASnapshotMakesTheCheckpointIncomplete() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).checkpointInterval(Duration.ZERO).build())) {
            fill(pool, 0, 10);
            try (Connection reader = pool.reader().getConnection()) {
                reader.setAutoCommit(false);
                count(reader);
                fill(pool, 10, 20);
                CheckpointResult r = pool.checkpoint(CheckpointMode.PASSIVE);
                assertThat(r.complete()).isFalse();
            }
        }
    }

    @Test
    void periodicPassiveCheckpointRecordsCompleteCheckpoints() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).checkpointInterval(Duration.ofMillis(100)).build())) {
            fill(pool, 0, 10);
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().lastCompleteCheckpoint() != null);
        }
    }

    @Test
    void optimizeAndQuickCheckPassOnAHealthyDatabase() throws Exception {
        List<QuickCheckResult> checks = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void quickChecked(QuickCheckResult result) {
                    checks.add(result);
                }
            });
            fill(pool, 0, 100);
            pool.optimize();
            QuickCheckResult r = pool.quickCheck();
            assertThat(r.ok()).isTrue();
            assertThat(r.problems()).isEmpty();
            assertThat(checks).containsExactly(r);
        }
    }

    @Test
    void quickCheckReportsCorruptionWithoutRepairingIt() throws Exception {
        SqlitePoolConfig config = config(dir).build();
        try (SqlitePool pool = openWithTable(config)) {
            pool.write(c -> {
                try (var s = c.createStatement()) {
                    s.execute("CREATE INDEX item_value ON item (value)");
                }
                return null;
            });
            for (int i = 0; i < 10; i++) {
                fill(pool, i * 500, i * 500 + 500);
            }
            pool.checkpoint(CheckpointMode.TRUNCATE);
        }
        long size;
        try (RandomAccessFile f = new RandomAccessFile(config.path().toFile(), "rw")) {
            size = f.length();
            byte[] garbage = new byte[4096];
            java.util.Arrays.fill(garbage, (byte) 0x5A);
            for (long page = 3; page * 4096 < size; page += 4) {
                f.seek(page * 4096);
                f.write(garbage);
            }
        }
        try (SqlitePool pool = SqlitePool.open(config)) {
            QuickCheckResult r = pool.quickCheck();
            assertThat(r.ok()).isFalse();
            assertThat(r.problems()).isNotEmpty();
        }
        assertThat(config.path().toFile().length()).isEqualTo(size);
    }
}
