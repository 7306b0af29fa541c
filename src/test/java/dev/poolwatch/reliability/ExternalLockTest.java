package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolTimeoutException;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Another process (Debian's sqlite3 shell) holds BEGIN EXCLUSIVE for seconds while the pool is under load. */
@Timeout(120)
class ExternalLockTest {

    @TempDir
    Path dir;

    @Test
    void lockHeldByAnotherProcessTimesCallersOutClearlyAndEverythingRecovers() throws Exception {
        Path db = dir.resolve("locked.db");
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("locked").maxReaders(4)
                .acquireTimeout(Duration.ofMillis(800)).busyTimeout(Duration.ofMillis(300)).build())) {
            pool.write(c -> c.createStatement().execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"));
            pool.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('before')"));
            Process shell = new ProcessBuilder(Sqlite3Shell.path(), db.toString()).redirectErrorStream(true).start();
            Writer toShell = new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader fromShell = new BufferedReader(new InputStreamReader(shell.getInputStream(),
                    StandardCharsets.UTF_8));
            toShell.write("BEGIN EXCLUSIVE;\nSELECT 'locked';\n");
            toShell.flush();
            assertThat(fromShell.readLine()).isEqualTo("locked");

            AtomicBoolean stop = new AtomicBoolean();
            LongAdder reads = new LongAdder();
            LongAdder committed = new LongAdder();
            ConcurrentHashMap<String, LongAdder> failures = new ConcurrentHashMap<>();
            ExecutorService exec = Executors.newFixedThreadPool(6);
            for (int i = 0; i < 6; i++) {
                boolean writer = i < 3;
                exec.submit(() -> {
                    while (!stop.get()) {
                        try {
                            if (writer) {
                                pool.write(c -> c.createStatement().executeUpdate("INSERT INTO t (v) VALUES ('w')"));
                                committed.increment();
                            } else {
                                pool.read(c -> {
                                    try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                                        return rs.next();
                                    }
                                });
                                reads.increment();
                            }
                        } catch (PoolTimeoutException e) {
                            failures.computeIfAbsent("timeout", k -> new LongAdder()).increment();
                        } catch (SQLException e) {
                            failures.computeIfAbsent(ErrorKind.classify(e).tag(), k -> new LongAdder()).increment();
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(3000);
            long readsWhileLocked = reads.sum();
            long committedWhileLocked = committed.sum();
            toShell.write("COMMIT;\n.quit\n");
            toShell.flush();
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
            Thread.sleep(1000);
            stop.set(true);
            exec.shutdown();
            assertThat(exec.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

            assertThat(committedWhileLocked).as("no write gets through another process's EXCLUSIVE lock").isZero();
            assertThat(failures).containsKey("busy");
            assertThat(failures.getOrDefault("busy", new LongAdder()).sum() + failures.getOrDefault("timeout",
                    new LongAdder()).sum()).isPositive();
            assertThat(failures.keySet()).as("only busy errors and acquire timeouts").isSubsetOf(List.of("busy", "timeout"));
            assertThat(readsWhileLocked).as("WAL readers keep reading").isPositive();
            assertThat(pool.stats().errors().get(ErrorKind.BUSY)).isPositive();
            assertThat(committed.sum()).as("writes resume once the lock is gone").isGreaterThan(committedWhileLocked);
            long rows = pool.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM t")) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
            assertThat(rows).isEqualTo(1 + committed.sum());
            Figures.record("Lock held by another process", "sqlite3 shell held BEGIN EXCLUSIVE for 3 s under 3 writer"
                    + " and 3 reader threads", committed.sum() + reads.sum(), "nothing; " + failures.getOrDefault(
                    "busy", new LongAdder()).sum() + " busy errors and " + failures.getOrDefault("timeout",
                    new LongAdder()).sum() + " acquire timeouts while locked, reads went on");
        }
    }
}
