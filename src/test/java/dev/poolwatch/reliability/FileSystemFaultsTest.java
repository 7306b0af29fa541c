package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A full disk, a read-only file system and a vanished directory, made for real on a small tmpfs. */
@Timeout(120)
class FileSystemFaultsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static SqlitePool open(Path db) throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("fs").maxReaders(4)
                .acquireTimeout(Duration.ofSeconds(2)).busyTimeout(Duration.ofMillis(200)).build());
        pool.write(c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY,"
                + " data BLOB NOT NULL)"));
        return pool;
    }

    static void insert(SqlitePool pool, long id, int bytes) throws SQLException {
        pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO blob (id, data) VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setBytes(2, new byte[bytes]);
                return ps.executeUpdate();
            }
        });
    }

    private static long count(SqlitePool pool) throws SQLException {
        return pool.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM blob")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static int ready(PoolWatch watch) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void fullDiskFailsWritesAsFullKeepsReadsAndRecoversWhenSpaceIsFreed() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("small"));
        try (Tmpfs fs = Tmpfs.mount(mount, 2048)) {
            Path ballast = mount.resolve("ballast");
            Files.write(ballast, new byte[700 * 1024]);
            try (SqlitePool pool = open(mount.resolve("full.db"));
                 PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
                long committed = 0;
                SQLException failure = null;
                for (long id = 1; id < 10_000 && failure == null; id++) {
                    try {
                        insert(pool, id, 16 * 1024);
                        committed++;
                    } catch (SQLException e) {
                        failure = e;
                    }
                }
                assertThat((Throwable) failure).as("the disk filled up").isNotNull();
                assertThat(ErrorKind.classify(failure)).isEqualTo(ErrorKind.FULL);
                assertThat(pool.stats().errors().get(ErrorKind.FULL)).isPositive();
                assertThat(count(pool)).as("reads keep working and see every committed row").isEqualTo(committed);
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).containsPattern("sqlite_pool_errors_total\\{kind=\"full\",pool=\"fs\",role=\"writer\"} [1-9]");
                watch.events().flush(Duration.ofSeconds(5));
                assertThat(watch.events().events(new dev.poolwatch.store.EventQuery(null, "fs", "error", null, 10)))
                        .anySatisfy(e -> assertThat(e.details()).containsEntry("errorKind", "full"));

                Files.delete(ballast);
                long before = committed;
                insert(pool, 1_000_000, 16 * 1024);
                assertThat(count(pool)).as("writes work again without a restart").isEqualTo(before + 1);
                assertThat(pool.stats().restarts()).isZero();
                assertThat(pool.quickCheck().ok()).isTrue();
                Figures.record("Disk full", "2 MiB tmpfs filled by 16 KiB inserts until SQLITE_FULL, then space freed",
                        committed + 1, "0 of " + before + " committed rows; writes resumed without a restart");
            }
        }
    }

    @Test
    void readOnlyFileSystemGivesClearErrorsAndFailsReadinessUntilWritableAgain() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("ro"));
        try (Tmpfs fs = Tmpfs.mount(mount, 4096);
             SqlitePool pool = open(mount.resolve("ro.db"));
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
            insert(pool, 1, 100);
            assertThat(ready(watch)).isEqualTo(200);
            fs.readOnlyView(true);
            try {
                assertThat(ready(watch)).as("readiness sees the file system turn read-only").isEqualTo(503);
                assertThatThrownBy(pool::restart).as("reopening on a read-only file system fails clearly")
                        .isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(ErrorKind.classify(e)).isIn(ErrorKind.READONLY, ErrorKind.IO));
                assertThatThrownBy(() -> insert(pool, 2, 100)).isInstanceOf(SQLException.class);
                assertThat(pool.stats().errors().get(ErrorKind.READONLY) + pool.stats().errors().get(ErrorKind.IO))
                        .isPositive();
            } finally {
                fs.readOnlyView(false);
            }
            pool.restart();
            insert(pool, 3, 100);
            assertThat(count(pool)).as("the row committed before the fault and the one after").isEqualTo(2);
            assertThat(ready(watch)).isEqualTo(200);
            Figures.record("Read-only file system", "a read-only view mounted over the database's tmpfs, the pool"
                    + " restarted onto it, then the view removed", 1, "nothing; clear readonly errors and readiness"
                    + " 503 while read-only, writes resumed after a restart");
        }
    }

    @Test
    void vanishedDatabaseFailsReadinessAndARestartRecreatesIt() throws Exception {
        Path home = Files.createDirectory(dir.resolve("home"));
        Path db = home.resolve("gone.db");
        try (SqlitePool pool = open(db);
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
            insert(pool, 1, 100);
            for (String f : new String[] {"gone.db", "gone.db-wal", "gone.db-shm"}) {
                Files.deleteIfExists(home.resolve(f));
            }
            Files.delete(home);
            // SQLite keeps writing to the unlinked file through its open descriptors: nothing fails, so readiness is
            // what must tell.
            long start = System.nanoTime();
            try {
                insert(pool, 2, 100);
            } catch (SQLException e) {
                assertThat(ErrorKind.classify(e)).isIn(ErrorKind.READONLY, ErrorKind.IO);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no hang").isLessThan(Duration.ofSeconds(10));
            assertThat(ready(watch)).isEqualTo(503);
            assertThat(new ObjectMapper().readTree(HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri()
                    + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).body())
                    .at("/pools/fs/databaseWritable").asBoolean()).isFalse();
            pool.restart();
            pool.write(c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY,"
                    + " data BLOB NOT NULL)"));
            insert(pool, 3, 100);
            assertThat(Files.exists(db)).isTrue();
            assertThat(ready(watch)).isEqualTo(200);
            Figures.record("Vanished database directory", "directory and files deleted under the pool, then"
                    + " restart_pool", 1, "the deleted file's rows (the deletion's doing); no hang, readiness 503,"
                    + " a restart recreated the file");
        }
    }
}
