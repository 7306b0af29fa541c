package dev.poolwatch.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class IncrementalVacuumTest {

    @TempDir
    Path dir;

    /** A database with {@code pages} free-list pages; auto_vacuum can only be chosen before the first table. */
    private static Path fragmented(Path file, String autoVacuum, int rows) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("PRAGMA auto_vacuum = " + autoVacuum);
            s.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " + rows + ")"
                    + " INSERT INTO blob SELECT x, randomblob(3000) FROM n");
            s.execute("DELETE FROM blob WHERE id % 4 != 0");
        }
        return file;
    }

    private static long freelist(SqlitePool pool) throws Exception {
        return pool.read(c -> {
            try (ResultSet rs = c.createStatement().executeQuery("PRAGMA freelist_count")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void incrementalDatabaseGetsItsFreeListBackInSeveralWriteTransactions() throws Exception {
        Path file = fragmented(dir.resolve("inc.db"), "INCREMENTAL", 3_000);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("inc").build())) {
            long before = freelist(pool);
            long sizeBefore = Files.size(file);
            assertThat(before).as("free pages, more than one batch").isGreaterThan(Vacuum.BATCH_PAGES);

            Map<String, Object> r = RecoveryAction.INCREMENTAL_VACUUM.run(pool, new RecoveryAction.ActionContext(
                    RecoverySettings.DEFAULT, null, System.currentTimeMillis())).details();
            pool.checkpoint(CheckpointMode.TRUNCATE);

            assertThat(r).containsEntry("autoVacuum", "incremental").containsEntry("vacuumed", true)
                    .containsEntry("freelistPagesBefore", before).containsEntry("freelistPagesAfter", 0L);
            assertThat((Integer) r.get("batches")).isEqualTo((int) ((before + Vacuum.BATCH_PAGES - 1)
                    / Vacuum.BATCH_PAGES));
            assertThat(freelist(pool)).isZero();
            assertThat(Files.size(file)).as("the file shrank by the freed pages").isLessThanOrEqualTo(
                    sizeBefore - before * 4096);
            long rows = pool.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM blob")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(rows).as("rows kept").isEqualTo(750);
        }
    }

    /** Why the action runs one statement per page, inside the pool's write transaction. */
    @Test
    void incrementalVacuumOfManyPagesThroughJdbcFreesOnlyOnePage() throws Exception {
        Path file = fragmented(dir.resolve("inc.db"), "INCREMENTAL", 400);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("inc").build())) {
            long before = freelist(pool);
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    return s.execute("PRAGMA incremental_vacuum(100)");
                }
            });
            assertThat(freelist(pool)).isEqualTo(before - 1);
        }
    }

    @Test
    void databaseWithoutIncrementalAutoVacuumIsOnlyDiagnosedAndLeftAsItIs() throws Exception {
        Path file = fragmented(dir.resolve("none.db"), "NONE", 1_000);
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("none").build())) {
            long before = freelist(pool);
            pool.checkpoint(CheckpointMode.TRUNCATE);
            long sizeBefore = Files.size(file);

            Map<String, Object> r = RecoveryAction.INCREMENTAL_VACUUM.run(pool, new RecoveryAction.ActionContext(
                    RecoverySettings.DEFAULT, null, System.currentTimeMillis())).details();
            pool.checkpoint(CheckpointMode.TRUNCATE);

            assertThat(before).isPositive();
            assertThat(r).containsEntry("autoVacuum", "none").containsEntry("vacuumed", false)
                    .containsEntry("freelistPagesBefore", before);
            assertThat((String) r.get("why")).contains("VACUUM").contains("write lock").contains("twice");
            assertThat(freelist(pool)).isEqualTo(before);
            assertThat(Files.size(file)).isEqualTo(sizeBefore);
        }
    }
}
