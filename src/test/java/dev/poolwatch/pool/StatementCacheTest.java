package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-connection statement cache: a closed statement serves the next prepare of the same SQL, and nothing one
 * caller did to it (parameters, settings, an unread or unclosed result, the driver's own object) reaches the next.
 * Every test runs on one reader connection, so the second borrow gets the first one's cached statement if any.
 */
class StatementCacheTest {

    private static final String BY_ID = "SELECT value FROM item WHERE id = ?";
    private static final String ALL = "SELECT id FROM item ORDER BY id";

    @TempDir
    Path dir;

    private SqlitePool open(int cacheSize) throws SQLException {
        SqlitePool pool = openWithTable(config(dir).maxReaders(1).minReaders(1).statementCacheSize(cacheSize).build());
        pool.write(c -> {
            for (int i = 1; i <= 5; i++) {
                insert(c, i);
            }
            return null;
        });
        return pool;
    }

    /** The driver's statement under the caller's one. */
    private static Object driverStatement(PreparedStatement ps) {
        return ((ProxyPreparedStatement) ps).delegate;
    }

    private static Object driverStatementOf(SqlitePool pool, String sql) throws SQLException {
        try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            return driverStatement(ps);
        }
    }

    private static List<Long> ids(ResultSet rs) throws SQLException {
        List<Long> out = new ArrayList<>();
        while (rs.next()) {
            out.add(rs.getLong(1));
        }
        return out;
    }

    private static List<Long> allIds(SqlitePool pool) throws SQLException {
        return pool.read(c -> {
            try (Statement s = c.createStatement()) {
                return ids(s.executeQuery(ALL));
            }
        });
    }

    @Test
    void aClosedStatementServesTheNextPrepareOfTheSameSqlOnThatConnection() throws Exception {
        try (SqlitePool pool = open(64)) {
            Object first = driverStatementOf(pool, BY_ID);
            assertThat(driverStatementOf(pool, BY_ID)).isSameAs(first);
            assertThat(driverStatementOf(pool, ALL)).isNotSameAs(first);
        }
    }

    @Test
    void withTheCacheOffEveryPrepareIsNew() throws Exception {
        try (SqlitePool pool = open(0)) {
            Object first = driverStatementOf(pool, BY_ID);
            assertThat(driverStatementOf(pool, BY_ID)).isNotSameAs(first);
        }
    }

    @Test
    void aParameterTheNextCallerLeavesUnsetIsNullNotThePreviousCallersValue() throws Exception {
        try (SqlitePool pool = open(64)) {
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(BY_ID)) {
                ps.setLong(1, 3);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                }
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(BY_ID);
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("id = NULL matches nothing").isFalse();
            }
        }
    }

    @Test
    void settingsAndPendingBatchesOfOneCallerDoNotReachTheNext() throws Exception {
        try (SqlitePool pool = open(64)) {
            Object first;
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                first = driverStatement(ps);
                ps.setMaxRows(2);
                assertThat(ids(ps.executeQuery())).hasSize(2);
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(driverStatement(ps)).as("a changed statement is closed, not kept").isNotSameAs(first);
                assertThat(ps.getMaxRows()).isZero();
                assertThat(ids(ps.executeQuery())).hasSize(5);
                ps.setQueryTimeout(7);
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.getQueryTimeout()).isZero();
                ps.setFetchSize(3);
                assertThat(ids(ps.executeQuery())).hasSize(5);
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.getFetchSize()).isZero();
                ps.closeOnCompletion();
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.isCloseOnCompletion()).isFalse();
            }
            pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (id, value) VALUES (?, ?)")) {
                    ps.setLong(1, 100);
                    ps.setString(2, "batched, never executed");
                    ps.addBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (id, value) VALUES (?, ?)")) {
                    ps.setLong(1, 101);
                    ps.setString(2, "x");
                    ps.addBatch();
                    assertThat(ps.executeBatch()).containsExactly(1);
                }
                return null;
            });
            assertThat(allIds(pool)).contains(101L)
                    .doesNotContain(100L);
        }
    }

    /** A write after the reader's borrow, a TRUNCATE checkpoint, and the reader's next borrow must see the write. */
    private static void assertNoSnapshotPinned(SqlitePool pool) throws Exception {
        pool.write(c -> {
            insert(c, 6);
            return null;
        });
        assertThat(pool.checkpoint(CheckpointMode.TRUNCATE).complete()).as("no reader holds a snapshot").isTrue();
        try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(BY_ID)) {
            ps.setLong(1, 6);
            assertThat(ps.executeQuery().next()).isTrue();
        }
    }

    @Test
    void aResultSetLeftOpenDoesNotPinItsSnapshotForTheNextBorrower() throws Exception {
        try (SqlitePool pool = open(64)) {
            try (Connection c = pool.reader().getConnection()) {
                PreparedStatement ps = c.prepareStatement(ALL);
                ResultSet rs = ps.executeQuery();
                assertThat(rs.next()).isTrue();
                ps.close();
            }
            assertNoSnapshotPinned(pool);
        }
    }

    @Test
    void aResultExecuteAnnouncedAndNobodyReadDoesNotPinItsSnapshot() throws Exception {
        try (SqlitePool pool = open(64)) {
            Object unread;
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.execute()).isTrue();
                unread = driverStatement(ps);
            }
            assertNoSnapshotPinned(pool);
            assertThat(driverStatementOf(pool, ALL)).as("closed, not kept").isNotSameAs(unread);
        }
    }

    @Test
    void aStatementTheDriverLeftMidStepIsResetSoTheNextCommitIsNotBlocked() throws Exception {
        Path file = dir.resolve("incremental.db");
        try (Connection raw = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement s = raw.createStatement()) {
            s.execute("PRAGMA auto_vacuum = INCREMENTAL");
            s.execute("CREATE TABLE blob (id INTEGER PRIMARY KEY, b BLOB)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200)"
                    + " INSERT INTO blob SELECT x, randomblob(3000) FROM n");
            s.execute("DELETE FROM blob");
        }
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("inc").build())) {
            for (int round = 0; round < 3; round++) {
                // Each step of incremental_vacuum(1) frees a page and returns a row without columns: the driver
                // leaves the statement mid-step, and a kept one that was not reset fails this write's COMMIT.
                pool.write(c -> {
                    try (PreparedStatement ps = c.prepareStatement("PRAGMA incremental_vacuum(1)")) {
                        ps.execute();
                    }
                    return null;
                });
            }
        }
    }

    @Test
    void aStatementWhoseNativeHandleIsGoneIsClosedNotKept() throws Exception {
        try (Connection raw = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:")) {
            StatementCache cache = new StatementCache();
            PreparedStatement ps = raw.prepareStatement("SELECT 1");
            ((org.sqlite.core.CoreStatement) ps).pointer.close();
            cache.giveBack("SELECT 1", ps, null, 8);
            assertThat(cache.keptSql()).isEmpty();
            PreparedStatement fine = raw.prepareStatement("SELECT 1");
            cache.giveBack("SELECT 1", fine, null, 8);
            assertThat(cache.take("SELECT 1")).isSameAs(fine);
        }
    }

    @Test
    void getMoreResultsLeavesAStatementTheNextCallerCanUse() throws Exception {
        try (SqlitePool pool = open(64)) {
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.execute()).isTrue();
                ids(ps.getResultSet());
                assertThat(ps.getMoreResults()).isFalse();
            }
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ids(ps.executeQuery())).hasSize(5);
            }
        }
    }

    @Test
    void aStatementTheCallerUnwrappedOrAskedNotToPoolIsNeverHandedToAnother() throws Exception {
        try (SqlitePool pool = open(64)) {
            Object unwrapped;
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(BY_ID)) {
                unwrapped = ps.unwrap(org.sqlite.core.CoreStatement.class);
            }
            assertThat(driverStatementOf(pool, BY_ID)).isNotSameAs(unwrapped);
            Object notPooled;
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(ALL)) {
                assertThat(ps.isPoolable()).isTrue();
                ps.setPoolable(false);
                assertThat(ps.isPoolable()).isFalse();
                notPooled = driverStatement(ps);
            }
            assertThat(driverStatementOf(pool, ALL)).isNotSameAs(notPooled);
        }
    }

    @Test
    void aCachedSelectStarSeesColumnsAddedByTheWriter() throws Exception {
        try (SqlitePool pool = open(64)) {
            String sql = "SELECT * FROM item WHERE id = 1";
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(2);
            }
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE item ADD COLUMN extra TEXT DEFAULT 'new'");
                }
                return null;
            });
            try (Connection c = pool.reader().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                 ResultSet rs = ps.executeQuery()) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(3);
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("extra")).isEqualTo("new");
            }
        }
    }

    @Test
    void aFailedExecuteLeavesAStatementTheNextCallerCanUse() throws Exception {
        try (SqlitePool pool = open(64)) {
            String sql = "INSERT INTO item (id, value) VALUES (?, ?)";
            pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, 1);
                    ps.setString(2, "duplicate id");
                    ps.executeUpdate();
                } catch (SQLException expected) {
                    assertThat(expected.getMessage()).contains("UNIQUE");
                }
                return null;
            });
            pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setLong(1, 50);
                    ps.setString(2, "fine");
                    assertThat(ps.executeUpdate()).isEqualTo(1);
                }
                return null;
            });
            assertThat(allIds(pool)).contains(50L);
        }
    }

    @Test
    void theCacheKeepsAtMostItsSizeLeastRecentlyUsedOutAndFollowsALiveChange() throws Exception {
        try (SqlitePool pool = open(2)) {
            String a = "SELECT 1";
            String b = "SELECT 2";
            String c3 = "SELECT 3";
            try (Connection c = pool.reader().getConnection()) {
                StatementCache cache = ((ProxyConnection) c).entry.statements;
                for (String sql : List.of(a, b, a, c3)) {
                    c.prepareStatement(sql).close();
                }
                assertThat(cache.keptSql()).containsExactly(a, c3);
                pool.reconfigure(pool.config().toBuilder().statementCacheSize(0).build());
                c.prepareStatement(b).close();
                assertThat(cache.keptSql()).isEmpty();
            }
        }
    }
}
