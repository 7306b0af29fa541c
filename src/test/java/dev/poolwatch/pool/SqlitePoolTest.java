package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePoolTest {

    @TempDir
    Path dir;

    @Test
    void writeCommitsAndReadSeesIt() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            int rows = pool.write(c -> {
                insert(c, 1);
                insert(c, 2);
                return 2;
            });
            assertThat(rows).isEqualTo(2);
            assertThat(count(pool)).isEqualTo(2);
            try (Connection c = pool.reader().getConnection()) {
                assertThat(count(c)).isEqualTo(2);
            }
        }
    }

    @Test
    void writeRollsBackWhenTheCallbackThrows() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            assertThatThrownBy(() -> pool.write(c -> {
                insert(c, 1);
                throw new IllegalStateException("boom");
            })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
            assertThat(count(pool)).isZero();
            pool.write(c -> {
                insert(c, 1);
                return null;
            });
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void databaseRunsInWalWithTheConfiguredPragmasOnEveryConnection() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(3).minReaders(3).build())) {
            for (int i = 0; i < 3; i++) {
                pool.read(c -> {
                    assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
                    assertThat(pragma(c, "synchronous")).isEqualTo("1");
                    assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
                    assertThat(pragma(c, "busy_timeout")).isEqualTo("5000");
                    return null;
                });
            }
            pool.write(c -> {
                assertThat(pragma(c, "synchronous")).isEqualTo("1");
                assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
                return null;
            });
        }
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void readersRefuseToWrite() throws Exception {
        List<ErrorKind> seen = new CopyOnWriteArrayList<>();
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void error(Role role, ErrorKind kind, SQLException cause) {
                    seen.add(kind);
                }
            });
            assertThatThrownBy(() -> pool.read(c -> {
                insert(c, 1);
                return null;
            })).isInstanceOf(SQLException.class);
            assertThat(seen).containsExactly(ErrorKind.READONLY);
            assertThat(pool.stats().errors()).containsEntry(ErrorKind.READONLY, 1L);
            try (Connection c = pool.reader().getConnection()) {
                assertThat(c.isReadOnly()).isTrue();
                assertThatThrownBy(() -> c.setReadOnly(false)).hasMessageContaining("pool.writer()");
            }
        }
    }

    @Test
    void managedWriteRefusesToEndItsOwnTransaction() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            assertThatThrownBy(() -> pool.write(c -> {
                insert(c, 1);
                c.commit();
                return null;
            })).hasMessageContaining("not allowed inside pool.write()");
            assertThat(count(pool)).isZero();
        }
    }

    @Test
    void writerDataSourceRunsDriverTransactions() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            try (Connection c = pool.writer().getConnection()) {
                c.setAutoCommit(false);
                insert(c, 1);
                c.commit();
                insert(c, 2);
                c.rollback();
                c.setAutoCommit(true);
            }
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void returnedConnectionIsResetAndTheHandleIsDead() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            Connection c = pool.writer().getConnection();
            c.setAutoCommit(false);
            insert(c, 1);
            Statement open = c.createStatement();
            c.close();
            assertThat(c.isClosed()).isTrue();
            assertThatThrownBy(c::createStatement).hasMessageContaining("returned to pool 'test'");
            assertThatThrownBy(() -> open.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
            c.close();
            assertThat(count(pool)).isZero();
            try (Connection again = pool.writer().getConnection()) {
                assertThat(again.getAutoCommit()).isTrue();
                insert(again, 5);
            }
            assertThat(count(pool)).isEqualTo(1);
        }
    }

    @Test
    void rawTransactionLeftOpenOnAReaderIsEndedOnReturn() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(1).build())) {
            try (Connection c = pool.reader().getConnection(); Statement s = c.createStatement()) {
                s.execute("BEGIN");
                count(c);
            }
            pool.write(c -> {
                insert(c, 1);
                return null;
            });
            assertThat(pool.checkpoint(CheckpointMode.TRUNCATE).complete()).isTrue();
        }
    }

    @Test
    void openRejectsAFileThatIsNotSqlite() throws Exception {
        Path notDb = dir.resolve("notes.db");
        Files.writeString(notDb, "this is a text file, not a database at all");
        assertThatThrownBy(() -> SqlitePool.open(SqlitePoolConfig.builder(notDb).build()))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("is not a SQLite database");
        assertThat(Files.readString(notDb)).startsWith("this is a text file");
    }

    @Test
    void openRejectsADirectoryOrAParentThatIsAFile() throws Exception {
        assertThatThrownBy(() -> SqlitePool.open(SqlitePoolConfig.builder(dir).build()))
                .hasMessageContaining("is a directory");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        assertThatThrownBy(() -> SqlitePool.open(SqlitePoolConfig.builder(file.resolve("app.db")).build()))
                .hasMessageContaining("cannot create the directory");
    }

    @Test
    void openCreatesMissingDirectories() throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("a/b/app.db")).build())) {
            assertThat(pool.stats().writer().total()).isEqualTo(1);
            assertThat(Files.exists(dir.resolve("a/b/app.db"))).isTrue();
        }
    }

    @Test
    void readersGrowOnDemandAndShrinkBackAfterIdleTimeout() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(4).minReaders(1)
                .idleTimeout(Duration.ofMillis(200)).build())) {
            assertThat(pool.stats().reader().total()).isEqualTo(1);
            List<Connection> held = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                held.add(pool.reader().getConnection());
            }
            assertThat(pool.stats().reader().total()).isEqualTo(4);
            assertThat(pool.stats().reader().active()).isEqualTo(4);
            for (Connection c : held) {
                c.close();
            }
            assertThat(pool.stats().reader().idle()).isEqualTo(4);
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().reader().total() == 1);
            PoolTestSupport.assertConsistent(pool.stats().reader());
        }
    }

    @Test
    void connectionClosedUnderneathIsReplacedNotHandedOut() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(1).validationThreshold(Duration.ZERO).build())) {
            pool.read(c -> {
                c.unwrap(org.sqlite.SQLiteConnection.class).close();
                return null;
            });
            assertThat(pool.stats().reader().connectionsClosed()).isEqualTo(1);
            assertThat(count(pool)).isZero();
            PoolStats.RoleStats r = pool.stats().reader();
            assertThat(r.total()).isEqualTo(1);
            PoolTestSupport.assertConsistent(r);
            dev.poolwatch.reliability.Figures.record("Broken connection", "physical connection closed underneath the"
                    + " pool while borrowed", 1, "nothing; it was discarded and replaced, never handed out again");
        }
    }

    @Test
    void maxLifetimeRetiresOldConnections() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxLifetime(Duration.ofMillis(200)).build())) {
            long before = pool.stats().writer().connectionsCreated();
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.stats().writer().connectionsCreated() > before);
            assertThat(count(pool)).isZero();
        }
    }

    @Test
    void closedPoolRejectsCallersAndCloseIsIdempotent() throws Exception {
        SqlitePool pool = openWithTable(config(dir).build());
        pool.close();
        pool.close();
        assertThat(pool.state()).isEqualTo(PoolState.CLOSED);
        assertThatThrownBy(() -> pool.read(c -> null)).isInstanceOf(PoolClosedException.class)
                .hasMessage("pool 'test' is closed");
        assertThatThrownBy(() -> pool.writer().getConnection()).isInstanceOf(PoolClosedException.class);
        assertThat(pool.stats().writer().total()).isZero();
        assertThat(pool.stats().reader().total()).isZero();
    }

    @Test
    void failingListenerDoesNotBreakThePool() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).build())) {
            pool.addListener(new PoolListener() {
                @Override
                public void acquired(Role role, long waitNanos) {
                    throw new IllegalStateException("listener bug");
                }
            });
            assertThat(count(pool)).isZero();
        }
    }
}
