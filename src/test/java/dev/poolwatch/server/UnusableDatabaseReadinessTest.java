package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A pool whose borrows still work on a database it cannot use must not answer ready. */
@Timeout(60)
class UnusableDatabaseReadinessTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    static SqlitePool open(Path db) throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("app").maxReaders(2)
                .acquireTimeout(Duration.ofSeconds(2)).build());
        pool.write(c -> c.createStatement().execute("CREATE TABLE IF NOT EXISTS blob (id INTEGER PRIMARY KEY,"
                + " data BLOB NOT NULL)"));
        return pool;
    }

    static void insert(SqlitePool pool, long id, int bytes) throws SQLException {
        pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO blob (id, data) VALUES (?, ?)")) {
                ps.setLong(1, id);
                ps.setBytes(2, new byte[bytes]);
                return ps.executeUpdate();
            }
        });
    }

    /** Reads and writes across the whole table, counting what fails. */
    static int churn(SqlitePool pool, int rows) {
        int failed = 0;
        for (int id = 1; id <= rows; id++) {
            int row = id;
            try {
                pool.read(c -> {
                    try (ResultSet rs = c.createStatement().executeQuery("SELECT length(data) FROM blob WHERE id = "
                            + row)) {
                        return rs.next();
                    }
                });
                insert(pool, row, 3000);
            } catch (SQLException e) {
                failed++;
            }
        }
        return failed;
    }

    static JsonNode problem(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("type").asText()).endsWith("/not-ready");
        return body;
    }

    @Test
    void aDamagedDatabaseFailsReadinessWithTheReason() throws Exception {
        Path original = dir.resolve("original.db");
        try (SqlitePool pool = open(original)) {
            for (int id = 1; id <= 600; id++) {
                insert(pool, id, 3000);
            }
            pool.checkpoint(CheckpointMode.TRUNCATE);
        }
        Path copy = Files.copy(original, dir.resolve("copy.db"));
        long pages;
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            pages = f.length() / 4096;
            Random random = new Random(42);
            byte[] junk = new byte[4096];
            // Page 1 (the header and schema) stays intact, so the file still opens as the user found it.
            for (int i = 0; i < 300; i++) {
                random.nextBytes(junk);
                f.seek((2 + random.nextInt((int) pages - 2)) * 4096L);
                f.write(junk);
            }
        }
        try (SqlitePool pool = open(copy);
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
            Http http = new Http(watch.uri());
            assertThat(http.get("/health/ready").statusCode()).as("errors from before the first probe").isEqualTo(200);
            int failed = churn(pool, 600);
            assertThat(failed).as("operations failing on %d damaged pages of %d", 300, pages).isPositive();
            assertThat(pool.stats().errors().get(ErrorKind.CORRUPT)).isPositive();
            assertThat(pool.ping(Duration.ofMillis(250))).as("the writer can still be borrowed").isTrue();
            JsonNode body = problem(http.get("/health/ready"));
            assertThat(body.path("detail").asText()).contains("pool 'app'", "corrupt error",
                    "the database file is damaged");
            assertThat(body.at("/pools/app/databaseUsable").asBoolean()).isFalse();
            assertThat(body.at("/pools/app/databaseWritable").asBoolean()).isTrue();
        }
    }

    @Test
    void aFullDatabaseFailsReadinessWhileItsFileLooksWritable() throws Exception {
        try (SqlitePool pool = open(dir.resolve("full.db"));
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
            Http http = new Http(watch.uri());
            insert(pool, 1, 100);
            assertThat(http.get("/health/ready").statusCode()).isEqualTo(200);
            // The page limit is SQLite's own "full": the same SQLITE_FULL a full disk gives, without needing one. It
            // is set and hit in one borrow: a pragma assignment does not outlive the borrow that made it.
            SQLException full = null;
            try {
                pool.write(c -> {
                    try (ResultSet rs = c.createStatement().executeQuery("PRAGMA page_count")) {
                        rs.next();
                        c.createStatement().executeQuery("PRAGMA max_page_count = " + rs.getLong(1)).next();
                    }
                    try (PreparedStatement ps = c.prepareStatement("INSERT OR REPLACE INTO blob (id, data) VALUES (?, ?)")) {
                        ps.setLong(1, 2);
                        ps.setBytes(2, new byte[64 * 1024]);
                        return ps.executeUpdate();
                    }
                });
            } catch (SQLException e) {
                full = e;
            }
            assertThat(ErrorKind.classify(full)).isEqualTo(ErrorKind.FULL);
            JsonNode body = problem(http.get("/health/ready"));
            assertThat(body.path("detail").asText()).contains("1 full error", "full");
            assertThat(http.get("/health/ready").statusCode()).as("a probe right after, with no new error, still"
                    + " remembers it").isEqualTo(503);
        }
    }

    @Test
    void anUnusableKindIsPresentFromItsRiseUntilItsMemoryRunsOut() {
        UnusableErrors w = new UnusableErrors();
        long t = 1_000 * SECOND;
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 7L), 0, t)).as("the baseline").isEmpty();
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 7L, ErrorKind.BUSY, 50L), 0, t + SECOND))
                .as("other kinds do not count").isEmpty();
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 9L), 0, t + 2 * SECOND)).containsEntry(ErrorKind.CORRUPT, 2L);
        long memory = UnusableErrors.MEMORY.toNanos();
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 9L), 0, t + 2 * SECOND + memory - 1)).containsOnlyKeys(
                ErrorKind.CORRUPT);
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 9L), 0, t + 2 * SECOND + memory)).isEmpty();
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 10L, ErrorKind.FULL, 1L), 0, t + 100 * memory))
                .as("a rise after a long gap counts at once").containsOnlyKeys(ErrorKind.CORRUPT, ErrorKind.FULL);
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 11L, ErrorKind.FULL, 1L), 1, t + 100 * memory + SECOND))
                .as("a restart makes what came before it history").isEmpty();
        assertThat(w.observe(Map.of(ErrorKind.CORRUPT, 11L, ErrorKind.READONLY, 1L), 1, t + 100 * memory + 2 * SECOND))
                .containsOnlyKeys(ErrorKind.READONLY);
    }
}
