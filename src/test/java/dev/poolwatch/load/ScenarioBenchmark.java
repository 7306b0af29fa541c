package dev.poolwatch.load;

import dev.poolwatch.pool.ErrorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The bot workload of {@link BotWorkload} (point reads, small range reads, write transactions that update a row and
 * append one) run through any {@link BenchSetup}, each on a fresh database file, so setups are compared on the same
 * work on the same machine in the same run.
 */
final class ScenarioBenchmark {

    /** What one setup did in one scenario. */
    record Result(String setup, Scenario scenario, double seconds, long reads, long writes, long errors,
                  Map<String, Long> errorKinds, long opP50, long opP99, long writeP99, long opMax) {
        double opsPerSecond() {
            return (reads + writes) / seconds;
        }

        double writesPerSecond() {
            return writes / seconds;
        }

        double readsPerSecond() {
            return reads / seconds;
        }

        double errorRate() {
            long attempted = reads + writes + errors;
            return attempted == 0 ? 0 : (double) errors / attempted;
        }
    }

    private static final int USERS = 1000;

    private ScenarioBenchmark() {
    }

    static void createSchema(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bot_user (id INTEGER PRIMARY KEY, name TEXT NOT NULL, messages INTEGER NOT NULL"
                    + " DEFAULT 0, updated_ms INTEGER NOT NULL)");
            s.execute("CREATE TABLE bot_message (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, body TEXT NOT NULL,"
                    + " created_ms INTEGER NOT NULL)");
            s.execute("CREATE INDEX bot_message_user ON bot_message (user_id, id)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO bot_user (id, name, updated_ms) VALUES (?, ?, 0)")) {
                for (int i = 1; i <= USERS; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "user-" + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }

    /** Each cell first runs this long unmeasured, so every setup is measured with a warm JIT and warm caches. */
    static final Duration WARM_UP = Duration.ofSeconds(3);

    static Result run(Path dir, Scenario s, Function<Path, BenchSetup> factory) throws Exception {
        Path db = Files.createTempFile(dir, "bench-", ".db");
        Files.delete(db);
        createSchema(db);
        LatencyHistogram ops = new LatencyHistogram();
        LatencyHistogram writesLatency = new LatencyHistogram();
        LongAdder reads = new LongAdder();
        LongAdder writes = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        String name;
        double seconds;
        try (BenchSetup setup = factory.apply(db)) {
            name = setup.name();
            long start = System.nanoTime() + WARM_UP.toNanos();
            long deadline = start + s.duration().toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < s.workers(); w++) {
                Thread t = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        long t0 = System.nanoTime();
                        boolean measured = t0 >= start;
                        boolean read = rnd.nextInt(100) < s.readPercent();
                        int user = 1 + rnd.nextInt(USERS);
                        try {
                            if (read) {
                                boolean range = rnd.nextInt(3) == 0;
                                setup.read(c -> readOp(c, user, range));
                            } else {
                                setup.write(c -> writeOp(c, user));
                            }
                            if (measured) {
                                (read ? reads : writes).increment();
                                if (!read) {
                                    writesLatency.recordNanos(System.nanoTime() - t0);
                                }
                                ops.recordNanos(System.nanoTime() - t0);
                            }
                        } catch (SQLException e) {
                            if (!measured) {
                                continue;
                            }
                            String kind = e instanceof SQLTransientConnectionException && !(e.getCause() instanceof SQLException)
                                    ? "timeout" : ErrorKind.classify(e).tag();
                            errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
                        }
                    }
                }, "bench-" + w);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join();
            }
            seconds = (System.nanoTime() - start) / 1e9;
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
        }
        Map<String, Long> kinds = new TreeMap<>();
        errors.forEach((k, v) -> kinds.put(k, v.sum()));
        return new Result(name, s, seconds, reads.sum(), writes.sum(), kinds.values().stream().mapToLong(x -> x).sum(),
                kinds, ops.quantileNanos(0.5), ops.quantileNanos(0.99), writesLatency.quantileNanos(0.99), ops.maxNanos());
    }

    private static Object readOp(Connection c, int user, boolean range) throws SQLException {
        String sql = range ? "SELECT id, body FROM bot_message WHERE user_id = ? ORDER BY id DESC LIMIT 10"
                : "SELECT name, messages FROM bot_user WHERE id = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, user);
            int n = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                }
            }
            return n;
        }
    }

    private static Object writeOp(Connection c, int user) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement up = c.prepareStatement("UPDATE bot_user SET messages = messages + 1, updated_ms = ?"
                + " WHERE id = ?");
             PreparedStatement ins = c.prepareStatement("INSERT INTO bot_message (user_id, body, created_ms)"
                     + " VALUES (?, ?, ?)")) {
            up.setLong(1, now);
            up.setInt(2, user);
            up.executeUpdate();
            ins.setInt(1, user);
            ins.setString(2, "hello from " + user);
            ins.setLong(3, now);
            return ins.executeUpdate();
        }
    }
}
