package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A group-commit batch whose COMMIT meets a full disk, made for real on a small tmpfs. */
@Timeout(120)
class BatchedCommitFaultsTest {

    private static final int BLOB = 64 * 1024;

    @TempDir
    Path dir;

    private static CompletableFuture<Long> insert(SqlitePool pool, long id, int bytes) {
        return pool.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blob (id, data) VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setBytes(2, new byte[bytes]);
                ps.executeUpdate();
            }
            return id;
        });
    }

    private static Set<Long> ids(SqlitePool pool) throws SQLException {
        return pool.read(c -> {
            Set<Long> out = new HashSet<>();
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id FROM blob")) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
    }

    @Test
    void fullDiskAtCommitFailsEveryCallerOfTheBatchAndLosesNothingAcknowledged() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("small"));
        try (Tmpfs fs = Tmpfs.mount(mount, 2048);
             SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(mount.resolve("batch.db")).name("full")
                     .maxReaders(2).checkpointInterval(Duration.ZERO).maxBatchDuration(Duration.ofSeconds(10))
                     .acquireTimeout(Duration.ofSeconds(5)).build())) {
            pool.write(c -> c.createStatement().execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, data BLOB NOT NULL)"));
            Set<Long> acknowledged = new HashSet<>();
            for (long id = 1; id <= 20; id++) {
                acknowledged.add(insert(pool, id, 100).get(10, TimeUnit.SECONDS));
            }
            Path ballast = mount.resolve("ballast");
            long usable = Files.getFileStore(mount).getUsableSpace();
            Files.write(ballast, new byte[(int) (usable - 256 * 1024)]);

            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch open = new CountDownLatch(1);
            CompletableFuture<Object> gate = pool.submit(c -> {
                running.countDown();
                try {
                    return open.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new SQLException(e);
                }
            });
            running.await();
            List<CompletableFuture<Long>> batch = new ArrayList<>();
            for (long id = 100; id < 108; id++) {
                batch.add(insert(pool, id, BLOB));
            }
            while (pool.batchQueueDepth() < batch.size()) {
                Thread.sleep(2);
            }
            open.countDown();
            gate.get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Long> f : batch) {
                Throwable cause = null;
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    cause = e.getCause();
                }
                assertThat(cause).as("a caller of the batch whose COMMIT failed").isInstanceOf(SQLException.class)
                        .hasMessageContaining("not committed");
                assertThat(ErrorKind.classify(cause)).isEqualTo(ErrorKind.FULL);
            }
            assertThat(pool.stats().errors().get(ErrorKind.FULL)).isPositive();

            Files.delete(ballast);
            Set<Long> present = ids(pool);
            assertThat(present).as("every acknowledged write").containsAll(acknowledged);
            assertThat(present).as("none of the failed batch").doesNotContain(100L, 101L, 102L, 103L, 104L, 105L,
                    106L, 107L);
            assertThat(insert(pool, 200, BLOB).get(10, TimeUnit.SECONDS)).as("writes resume").isEqualTo(200L);
            assertThat(pool.quickCheck().ok()).isTrue();
            Figures.record("Disk full at a group COMMIT", "2 MiB tmpfs with 256 KiB left, then one batch of 8 callers"
                    + " writing 64 KiB each", 1, "0 of " + acknowledged.size() + " acknowledged writes; all 8 callers"
                    + " of the batch failed as FULL, none acknowledged; writes resumed without a restart");
        }
    }
}
