package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.reliability.Sqlite3Shell;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class HeldFilesTest {
    /** SQLite's "DMS" byte of the -shm file: a shared lock on it tells other processes the wal-index is in use. */
    private static final long DMS_OFFSET = 128;
    /** The start of SQLite's shared-lock range of the database file (its PENDING_BYTE, 0x40000000, plus 2). */
    private static final long SHARED_FIRST = 0x40000000L + 2;

    @TempDir
    Path dir;

    /**
     * Closing any descriptor of a file drops this process's POSIX locks on it: the checkpointer's first pass used to
     * map the wal-index through a channel it then closed, and the process lost its lock on the DMS byte, so the next
     * process to open the database took it for unused and reset the wal-index under the pool. A restart's check of
     * the file's header dropped the locks on the database file the same way, and a sqlite3 shell that wrote a row and
     * exited then took itself for the last connection and deleted the WAL the pool was still using.
     */
    @Test
    void theProcessKeepsItsLocksOnTheDatabaseFilesWhileThePoolRuns() throws Exception {
        Path db = dir.resolve("locks.db");
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("locks").walAutoCheckpoint(10)
                .build())) {
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, body BLOB)");
                }
                return null;
            });
            Path shm = Path.of(db + "-shm");
            assertThat(locksHeldOn(shm)).as("locks of this process on the -shm file at open").contains(DMS_OFFSET);

            List<Long> passes = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.addListener(new PoolListener() {
                @Override
                public void checkpointed(CheckpointResult result) {
                    passes.add(System.nanoTime());
                }
            });
            for (int i = 0; i < 40; i++) {
                pool.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(body) VALUES (randomblob(4000))")) {
                        return ps.executeUpdate();
                    }
                });
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (passes.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(passes).as("background passes").isNotEmpty();

            assertThat(locksHeldOn(shm)).as("locks of this process on the -shm file after the passes")
                    .contains(DMS_OFFSET);
            pool.restart();
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.executeUpdate("INSERT INTO t(body) VALUES (x'01')");
                }
            });
            assertThat(locksHeldOn(shm)).as("locks of this process on the -shm file after a restart")
                    .contains(DMS_OFFSET);
            assertThat(locksHeldOn(db)).as("locks of this process on the database file after a restart")
                    .contains(SHARED_FIRST);

            Process shell = new ProcessBuilder(Sqlite3Shell.path(), db.toString(), "INSERT INTO t(body) VALUES (x'02');")
                    .redirectErrorStream(true).start();
            String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(shell.waitFor()).as("sqlite3 said: %s", out).isZero();

            assertThat(Path.of(db + "-wal")).as("the WAL after another process wrote and exited").exists();
            SqlFunction<Integer> count = c -> {
                try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    return rs.getInt(1);
                }
            };
            assertThat(pool.read(count)).as("rows: 40, one after the restart, one from sqlite3").isEqualTo(42);
        }
    }

    @Test
    void leasesOnOneFileShareOneDescriptorThatClosesWithTheLastLease() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "SQLite format 3");
        HeldFiles.Lease first = HeldFiles.lease(file);
        HeldFiles.Lease second = HeldFiles.lease(file);
        assertThat(second.channel()).isSameAs(first.channel());

        first.close();
        first.close();
        assertThat(second.channel().isOpen()).as("open while a lease is left, a second close counting once").isTrue();
        second.close();
        assertThat(second.channel().isOpen()).isFalse();
    }

    @Test
    void aFileReplacedUnderItsPathGetsItsOwnDescriptor() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "old");
        try (HeldFiles.Lease old = HeldFiles.lease(file)) {
            assertThat(old.replacedAt(file)).isFalse();
            Files.delete(file);
            Files.writeString(file, "new");

            assertThat(old.replacedAt(file)).isTrue();
            try (HeldFiles.Lease fresh = HeldFiles.lease(file)) {
                assertThat(fresh.channel()).isNotSameAs(old.channel());
            }
        }
    }

    @Test
    void theStartOfAFileIsReadWithOrWithoutAHeldDescriptor() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "SQLite format 3 and more");
        ByteBuffer alone = ByteBuffer.allocate(15);
        assertThat(HeldFiles.readStart(file, alone)).isEqualTo(15);
        try (HeldFiles.Lease held = HeldFiles.lease(file)) {
            ByteBuffer through = ByteBuffer.allocate(15);
            assertThat(HeldFiles.readStart(file, through)).isEqualTo(15);
            assertThat(held.channel().isOpen()).isTrue();
            assertThat(new String(through.array(), StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3");
        }
        assertThat(HeldFiles.readStart(file, ByteBuffer.allocate(100))).as("a file shorter than the buffer")
                .isEqualTo(24);
    }

    /** Start offsets of the POSIX locks this process holds on {@code file}, from /proc/locks. */
    private static List<Long> locksHeldOn(Path file) throws Exception {
        Path procLocks = Path.of("/proc/locks");
        Assumptions.assumeTrue(Files.isReadable(procLocks), "needs /proc/locks (Linux)");
        long inode = (long) Files.getAttribute(file, "unix:ino");
        String pid = Long.toString(ProcessHandle.current().pid());
        List<Long> starts = new ArrayList<>();
        for (String line : Files.readAllLines(procLocks)) {
            String[] f = line.trim().split("\\s+");
            // "1: POSIX  ADVISORY  READ 1234 fd:01:2147235 128 128"
            if (f.length >= 8 && f[1].equals("POSIX") && f[4].equals(pid) && f[5].endsWith(":" + inode)) {
                starts.add(Long.parseLong(f[6]));
            }
        }
        return starts;
    }
}
