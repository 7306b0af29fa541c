package dev.poolwatch.load;

import dev.poolwatch.pool.ErrorKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * The bot workload of {@link BotWorkload} (point reads, small range reads, write transactions that update a row and
 * append one), its very statements, run through any {@link BenchSetup}, each on a fresh database file, so setups are compared on the same
 * work on the same machine in the same run.
 */
final class ScenarioBenchmark {

    /** What one setup did in one scenario. */
    record Result(String setup, Scenario scenario, double seconds, long reads, long writes, long errors,
                  Map<String, Long> errorKinds, long opP50, long opP99, long writeP99, long opMax,
                  long missingWrites) {
        /** Every write the setup acknowledged, warm-up included, was in the database afterwards. */
        boolean integrityOk() {
            return missingWrites == 0;
        }

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
    static final int BURST_OPS = 20;
    static final long BURST_PAUSE_MILLIS = 50;

    private ScenarioBenchmark() {
    }

    static void createSchema(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            BotWorkload.createSchema(c, USERS);
            c.commit();
        }
    }

    /**
     * Each cell first runs this long unmeasured (or as long as it measures, if that is shorter), so every setup is
     * measured with a warm JIT and warm caches.
     */
    static final Duration WARM_UP = Duration.ofSeconds(3);

    static Duration warmUp(Scenario s) {
        return s.duration().compareTo(WARM_UP) < 0 ? s.duration() : WARM_UP;
    }

    static Result run(Path dir, Scenario s, Function<Path, BenchSetup> factory) throws Exception {
        Path db = Files.createTempFile(dir, "bench-", ".db");
        Files.delete(db);
        createSchema(db);
        LatencyHistogram ops = new LatencyHistogram();
        LatencyHistogram writesLatency = new LatencyHistogram();
        AtomicLong nextOpId = new AtomicLong();
        OpIdSet acknowledged = new OpIdSet(1);
        LongAdder reads = new LongAdder();
        LongAdder writes = new LongAdder();
        Map<String, LongAdder> errors = new ConcurrentHashMap<>();
        String name;
        try (BenchSetup setup = factory.apply(db)) {
            name = setup.name();
            long start = System.nanoTime() + warmUp(s).toNanos();
            long deadline = start + s.duration().toNanos();
            List<Thread> threads = new ArrayList<>();
            // Burst: all workers wait at a barrier, run BURST_OPS operations as fast as they can, then pause.
            java.util.concurrent.CyclicBarrier barrier = s.burst() ? new java.util.concurrent.CyclicBarrier(s.workers()) : null;
            for (int w = 0; w < s.workers(); w++) {
                Thread t = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    BurstCount burst = new BurstCount(BURST_OPS);
                    while (System.nanoTime() < deadline) {
                        if (barrier != null && burst.beginsBurst()) {
                            try {
                                Thread.sleep(BURST_PAUSE_MILLIS);
                                barrier.await(Math.max(1, deadline - System.nanoTime()),
                                        java.util.concurrent.TimeUnit.NANOSECONDS);
                            } catch (Exception e) {
                                return;
                            }
                        }
                        long t0 = System.nanoTime();
                        boolean read = rnd.nextInt(100) < s.readPercent();
                        int user = 1 + rnd.nextInt(USERS);
                        try {
                            if (read) {
                                boolean range = rnd.nextInt(3) == 0;
                                setup.read(c -> range ? BotWorkload.rangeRead(c, user) : BotWorkload.pointRead(c, user));
                            } else {
                                long opId = nextOpId.incrementAndGet();
                                setup.write(c -> {
                                    BotWorkload.write(c, user, opId);
                                    return null;
                                });
                                acknowledged.add(opId);
                            }
                            long t1 = System.nanoTime();
                            if (inWindow(t0, t1, start, deadline)) {
                                (read ? reads : writes).increment();
                                if (!read) {
                                    writesLatency.recordNanos(t1 - t0);
                                }
                                ops.recordNanos(t1 - t0);
                            }
                        } catch (SQLException e) {
                            if (!inWindow(t0, System.nanoTime(), start, deadline)) {
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
        }
        long missing;
        try {
            missing = missing(db, acknowledged, nextOpId.get());
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
        }
        Map<String, Long> kinds = new TreeMap<>();
        errors.forEach((k, v) -> kinds.put(k, v.sum()));
        return new Result(name, s, s.duration().toNanos() / 1e9, reads.sum(), writes.sum(), kinds.values().stream().mapToLong(x -> x).sum(),
                kinds, ops.quantileNanos(0.5), ops.quantileNanos(0.99), writesLatency.quantileNanos(0.99), ops.maxNanos(),
                missing);
    }

    /**
     * A cell measures the operations that began after its warm-up and ended by its deadline, over exactly its
     * duration, so the time its workers take to stop after the deadline (finishing an operation, or in burst waiting
     * at the barrier for workers that have left) is neither counted as measured time nor credited with operations.
     */
    static boolean inWindow(long began, long ended, long start, long deadline) {
        return began >= start && ended <= deadline;
    }

    /** Acknowledged op ids (1 to {@code last}) that are not in the database. */
    private static long missing(Path db, OpIdSet acknowledged, long last) throws SQLException {
        OpIdSet present = new OpIdSet(1);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT op_id FROM bot_message WHERE op_id IS NOT NULL")) {
            while (rs.next()) {
                present.add(rs.getLong(1));
            }
        }
        long missing = 0;
        for (long id = 1; id <= last; id++) {
            if (acknowledged.contains(id) && !present.contains(id)) {
                missing++;
            }
        }
        return missing;
    }

}
