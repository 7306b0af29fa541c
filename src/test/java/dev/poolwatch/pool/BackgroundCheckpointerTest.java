package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class BackgroundCheckpointerTest {
    private static final int THRESHOLD_PAGES = 100;
    private static final int PAGE_BYTES = 4096;

    @TempDir
    Path dir;

    private SqlitePool open(int walAutoCheckpoint) throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("ck.db")).name("ck")
                .walAutoCheckpoint(walAutoCheckpoint).build());
        pool.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE blobs(id INTEGER PRIMARY KEY, body BLOB)");
            }
            return null;
        });
        return pool;
    }

    /** Writes about {@code pages} pages of 1 KiB rows, one transaction per row, as a busy service would. */
    private static long writePages(SqlitePool pool, int pages) throws SQLException {
        long peakWal = 0;
        for (int i = 0; i < pages * 4; i++) {
            pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs(body) VALUES (randomblob(1024))")) {
                    return ps.executeUpdate();
                }
            });
            peakWal = Math.max(peakWal, pool.walSizeBytes());
        }
        return peakWal;
    }

    private static List<Future<Long>> writePagesOn(ExecutorService writers, SqlitePool pool, int threads, int pages) {
        List<Future<Long>> peaks = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            peaks.add(writers.submit(() -> writePages(pool, pages)));
        }
        return peaks;
    }

    private static Set<String> passiveCheckpointThreads(SqlitePool pool) {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        pool.addListener(new PoolListener() {
            @Override
            public void checkpointed(CheckpointResult result) {
                if (result.mode() == CheckpointMode.PASSIVE) {
                    threads.add(Thread.currentThread().getName());
                }
            }
        });
        return threads;
    }

    @Test
    void passiveCheckpointsRunOnTheCheckpointerThreadNotInTheWritersCommit() throws Exception {
        try (SqlitePool pool = open(THRESHOLD_PAGES)) {
            Set<String> threads = passiveCheckpointThreads(pool);

            writePages(pool, 4 * THRESHOLD_PAGES);

            assertThat(threads).contains("poolwatch-ck-checkpointer");
            try (Statement s = pool.writer().getConnection().createStatement();
                 var rs = s.executeQuery("PRAGMA wal_autocheckpoint")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the writer's own checkpoint, the bound behind the background one")
                        .isEqualTo(BackgroundCheckpointer.WRITER_BOUND_FACTOR * THRESHOLD_PAGES);
            }
        }
    }

    /**
     * Four threads keep the writer busy, so new frames arrive during every background pass and only the writer's
     * own bounded checkpoint lets the log reset; without it the WAL holds every frame written (about 100 MB here).
     */
    @Test
    void steadyWritesFromManyThreadsKeepTheWalBounded() throws Exception {
        try (SqlitePool pool = open(THRESHOLD_PAGES)) {
            ExecutorService writers = Executors.newFixedThreadPool(4);
            long peak = 0;
            for (Future<Long> f : writePagesOn(writers, pool, 4, 15 * THRESHOLD_PAGES)) {
                peak = Math.max(peak, f.get());
            }
            writers.shutdown();

            assertThat(peak).as("peak WAL bytes after about %d pages written", 60 * THRESHOLD_PAGES)
                    .isLessThan(16L * 1024 * 1024);
        }
    }

    /** Times (System.nanoTime) of the PASSIVE passes the checkpointer thread runs from now on. */
    private static List<Long> backgroundPasses(SqlitePool pool) {
        List<Long> passes = new java.util.concurrent.CopyOnWriteArrayList<>();
        pool.addListener(new PoolListener() {
            @Override
            public void checkpointed(CheckpointResult result) {
                if (result.mode() == CheckpointMode.PASSIVE
                        && Thread.currentThread().getName().equals("poolwatch-ck-checkpointer")) {
                    passes.add(System.nanoTime());
                }
            }
        });
        return passes;
    }

    private static void insertRows(SqlitePool pool, int rows, int bytes) throws SQLException {
        pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blobs(body) VALUES (randomblob(?))")) {
                for (int i = 0; i < rows; i++) {
                    ps.setInt(1, bytes);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    /** Waits until {@code deadline} for a pass after the first {@code seen} ones and returns when it ran. */
    private static long awaitPass(List<Long> passes, int seen, long deadline) throws InterruptedException {
        while (passes.size() <= seen && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(passes.size()).as("background passes").isGreaterThan(seen);
        return passes.get(seen);
    }

    /** Writes one small row and waits for the pass it brings, so each test starts just after a pass. */
    private static long settle(SqlitePool pool, List<Long> passes) throws Exception {
        insertRows(pool, 1, 10);
        awaitPass(passes, 0, System.nanoTime() + Duration.ofSeconds(10).toNanos());
        return passes.get(passes.size() - 1);
    }

    /**
     * Every pass ends in two fsyncs and lets the writer's next transaction restart the log with a third, inside a
     * COMMIT; a pass after every commit made those queue on the disk and stall the writer. A few small commits, far
     * below the threshold, wait for the quiet interval and are copied once it has passed.
     */
    @Test
    void smallCommitsBelowTheThresholdWaitForTheQuietIntervalThenAreCopied() throws Exception {
        try (SqlitePool pool = open(THRESHOLD_PAGES)) {
            List<Long> passes = backgroundPasses(pool);
            long last = settle(pool, passes);
            int before = passes.size();

            for (int i = 0; i < 10; i++) {
                insertRows(pool, 1, 10);
            }
            long next = awaitPass(passes, before,
                    last + BackgroundCheckpointer.QUIET_PASS_NANOS + Duration.ofSeconds(10).toNanos());

            assertThat(next - last).as("nanoseconds from the previous pass to the next")
                    .isGreaterThanOrEqualTo(BackgroundCheckpointer.QUIET_PASS_NANOS);
            assertThat(pool.checkpoint(CheckpointMode.PASSIVE).walFrames()).as("frames the ten commits wrote")
                    .isLessThan(THRESHOLD_PAGES);
        }
    }

    @Test
    void aThresholdOfNewFramesIsCopiedWithoutWaitingForTheQuietInterval() throws Exception {
        try (SqlitePool pool = open(THRESHOLD_PAGES)) {
            List<Long> passes = backgroundPasses(pool);
            long last = settle(pool, passes);
            int before = passes.size();

            // 16 KB rows overflow into about four pages each: one commit of about 2 * THRESHOLD_PAGES frames.
            insertRows(pool, THRESHOLD_PAGES / 2, 16_000);
            long next = awaitPass(passes, before, System.nanoTime() + Duration.ofSeconds(10).toNanos());

            assertThat(next - last).as("nanoseconds from the previous pass to the next")
                    .isLessThan(BackgroundCheckpointer.QUIET_PASS_NANOS);
        }
    }

    @Test
    void aZeroThresholdLeavesTheWalAlone() throws Exception {
        try (SqlitePool pool = open(0)) {
            Set<String> threads = passiveCheckpointThreads(pool);

            long peak = writePages(pool, 5 * THRESHOLD_PAGES);

            assertThat(threads).as("threads that ran a PASSIVE checkpoint").isEmpty();
            assertThat(peak).as("WAL bytes: nothing checkpoints").isGreaterThan(5L * THRESHOLD_PAGES * PAGE_BYTES);
        }
    }

    @Test
    void theCheckpointerConnectionNeverCreatesAMissingDatabase() {
        Path missing = dir.resolve("gone.db");
        ConnectionFactory factory = new ConnectionFactory(SqlitePoolConfig.builder(missing).build());

        assertThatThrownBy(factory::openCheckpointer).isInstanceOf(SQLException.class);
        assertThat(Files.exists(missing)).isFalse();
    }

    @Test
    void closingThePoolStopsTheCheckpointerThread() throws Exception {
        SqlitePool pool = open(THRESHOLD_PAGES);
        writePages(pool, THRESHOLD_PAGES);
        pool.close();

        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (checkpointerAlive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(checkpointerAlive()).isFalse();
    }

    /** SQLite answers a second checkpointer SQLITE_BUSY at once, so an explicit TRUNCATE must wait for the pass. */
    @Test
    void anExplicitTruncateWaitsForARunningBackgroundPass() throws Exception {
        try (SqlitePool pool = open(THRESHOLD_PAGES)) {
            ExecutorService writers = Executors.newFixedThreadPool(2);
            List<Future<Long>> load = writePagesOn(writers, pool, 2, 10 * THRESHOLD_PAGES);
            int incomplete = 0;
            while (!load.stream().allMatch(Future::isDone)) {
                CheckpointResult r = pool.checkpoint(CheckpointMode.TRUNCATE);
                if (r.busy()) {
                    incomplete++;
                }
            }
            writers.shutdown();

            assertThat(incomplete).as("TRUNCATE checkpoints that met another checkpointer").isZero();
        }
    }

    /**
     * The writer's own checkpoint at the bound copies and fsyncs, inside its COMMIT, whatever the background passes
     * left; near the bound they run at an eighth of the threshold so that little is left.
     */
    @Test
    void nearTheWritersBoundAPassIsDueAtAnEighthOfTheThreshold() {
        int threshold = 1000;
        int bound = BackgroundCheckpointer.WRITER_BOUND_FACTOR * threshold;

        assertThat(BackgroundCheckpointer.due(bound - threshold - 1, threshold - 1, threshold, bound))
                .as("a threshold's width below the bound, one frame short of the threshold").isFalse();
        assertThat(BackgroundCheckpointer.due(bound - threshold - 1, threshold, threshold, bound))
                .as("a threshold's width below the bound, a threshold of new frames").isTrue();
        assertThat(BackgroundCheckpointer.due(bound - threshold, threshold / 8 - 1, threshold, bound))
                .as("within a threshold of the bound, one frame short of an eighth").isFalse();
        assertThat(BackgroundCheckpointer.due(bound - threshold, threshold / 8, threshold, bound))
                .as("within a threshold of the bound, an eighth of new frames").isTrue();
        assertThat(BackgroundCheckpointer.due(bound + 500, threshold / 8, threshold, bound))
                .as("past the bound, an eighth of new frames").isTrue();
    }

    @Test
    void aThresholdBelowEightStillWaitsForANewFrameNearTheBound() {
        assertThat(BackgroundCheckpointer.due(40, 0, 5, 40)).isFalse();
        assertThat(BackgroundCheckpointer.due(40, 1, 5, 40)).isTrue();
    }

    @Test
    void anUnsetWalIndexHeaderMakesAPassDue() {
        assertThat(BackgroundCheckpointer.due(-1, -1, 1000, 8000)).isTrue();
    }

    /** The checkpointer keeps its own connection and a read-only channel to sync the file; close shuts both. */
    @Test
    void closingThePoolLeavesNoFileOfTheDatabaseOpen() throws Exception {
        SqlitePool pool = open(THRESHOLD_PAGES);
        List<Long> passes = backgroundPasses(pool);
        writePages(pool, 2 * THRESHOLD_PAGES);
        awaitPass(passes, 0, System.nanoTime() + Duration.ofSeconds(10).toNanos());
        assertThat(openFilesOf(dir.resolve("ck.db"))).as("files of the database open while the pool runs").isNotEmpty();

        pool.close();

        assertThat(openFilesOf(dir.resolve("ck.db"))).as("files of the database still open after close").isEmpty();
    }

    /** The targets of this process's open descriptors that are {@code db} or its -wal and -shm files. */
    private static List<Path> openFilesOf(Path db) throws java.io.IOException {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
        List<Path> open = new ArrayList<>();
        try (var links = Files.list(fds)) {
            for (Path fd : (Iterable<Path>) links::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.toString().startsWith(db.toString())) {
                        open.add(target);
                    }
                } catch (java.io.IOException gone) {
                    // the descriptor was closed between the listing and the read
                }
            }
        }
        return open;
    }

    private static boolean checkpointerAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("poolwatch-ck-checkpointer") && t.isAlive());
    }
}
