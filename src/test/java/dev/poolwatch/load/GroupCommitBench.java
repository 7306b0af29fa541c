package dev.poolwatch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.sqlite.SQLiteConfig;

/**
 * The group-commit part of docs/benchmarks.md: what one SQLite file can do at all (one thread on one raw connection,
 * 1 and 100 writes per transaction, at NORMAL and FULL), measured in the same run as the pools, and the issue's
 * targets for batched writes against HikariCP and those ceilings.
 */
final class GroupCommitBench {

    static final List<Integer> PER_TRANSACTION = List.of(1, 100);
    static final List<SQLiteConfig.SynchronousMode> MODES = List.of(SQLiteConfig.SynchronousMode.NORMAL,
            SQLiteConfig.SynchronousMode.FULL);

    private GroupCommitBench() {
    }

    /**
     * "NORMAL/1" → writes per second with the write's two statements prepared for each write (as the pools' callers
     * prepare them), "NORMAL/1/once" with them prepared once per connection (what SQLite itself can do, and what a
     * pool that keeps prepared statements comes close to): the median of {@code rounds} runs of {@code measured}.
     */
    static Map<String, Double> ceilings(Path work, Duration measured, int rounds) throws Exception {
        Map<String, List<Double>> runs = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (SQLiteConfig.SynchronousMode mode : MODES) {
                for (int k : PER_TRANSACTION) {
                    for (boolean once : new boolean[] {false, true}) {
                        System.out.printf(Locale.ROOT, "ceiling: one thread, synchronous=%s, %d writes per"
                                + " transaction, statements prepared %s%n", mode, k, once ? "once" : "per write");
                        runs.computeIfAbsent(key(mode, k, once), x -> new ArrayList<>())
                                .add(ceiling(work, mode, k, once, measured));
                    }
                }
            }
        }
        Map<String, Double> medians = new TreeMap<>();
        runs.forEach((key, values) -> medians.put(key, median(values)));
        return medians;
    }

    static String key(SQLiteConfig.SynchronousMode mode, int perTransaction, boolean preparedOnce) {
        return mode + "/" + perTransaction + (preparedOnce ? "/once" : "");
    }

    static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** The round with the median throughput, so one cell's figures all come from one real run. */
    static ScenarioBenchmark.Result medianRound(List<ScenarioBenchmark.Result> rounds) {
        List<ScenarioBenchmark.Result> sorted = new ArrayList<>(rounds);
        sorted.sort(Comparator.comparingDouble(ScenarioBenchmark.Result::opsPerSecond));
        return sorted.get(sorted.size() / 2);
    }

    /** Writes per second of one thread on one connection, {@code perTransaction} bot writes per transaction. */
    private static double ceiling(Path work, SQLiteConfig.SynchronousMode mode, int perTransaction,
                                  boolean preparedOnce, Duration measured) throws Exception {
        Path db = Files.createTempFile(work, "ceiling-", ".db");
        Files.delete(db);
        ScenarioBenchmark.createSchema(db);
        try (Connection c = BenchSetup.tuned(mode).createConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            if (!preparedOnce) {
                return measure(c, (user, opId) -> BotWorkload.write(c, user, opId), perTransaction, measured);
            }
            try (PreparedStatement up = c.prepareStatement(BotWorkload.UPDATE_USER);
                 PreparedStatement ins = c.prepareStatement(BotWorkload.INSERT_MESSAGE)) {
                return measure(c, (user, opId) -> BotWorkload.write(up, ins, user, opId), perTransaction, measured);
            }
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
        }
    }

    /** A warm-up, then writes per second over {@code measured}. */
    private static double measure(Connection c, Write write, int perTransaction, Duration measured)
            throws SQLException {
        long opId = 0;
        long warmEnd = System.nanoTime() + Math.min(ScenarioBenchmark.WARM_UP.toNanos(), measured.toNanos());
        while (System.nanoTime() < warmEnd) {
            opId = transaction(c, write, opId, perTransaction);
        }
        long start = System.nanoTime();
        long first = opId;
        long deadline = start + measured.toNanos();
        while (System.nanoTime() < deadline) {
            opId = transaction(c, write, opId, perTransaction);
        }
        return (opId - first) / ((System.nanoTime() - start) / 1e9);
    }

    private interface Write {
        void run(int user, long opId) throws SQLException;
    }

    private static long transaction(Connection c, Write write, long opId, int writes) throws SQLException {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < writes; i++) {
            write.run(1 + rnd.nextInt(1000), ++opId);
        }
        c.commit();
        return opId;
    }

    /** The "Group commit" section: setups, ceilings, and each target met or missed, per scenario. */
    static String markdown(List<ScenarioBenchmark.Result> results, List<Scenario> scenarios,
                           Map<String, Double> ceilings) {
        StringBuilder sb = new StringBuilder("## Group commit\n\n");
        sb.append("`pool.writeBatched()` runs concurrent callers' writes in one transaction, each in its own savepoint,")
                .append(" and acknowledges each after the shared COMMIT (see [pool.md](pool.md#group-commit)).")
                .append(" Setups, with the scenario comparison's workload and cells:\n\n");
        sb.append("- **poolwatch-batched**: poolwatch's defaults (`synchronous=NORMAL`), writes through `writeBatched`.\n");
        sb.append("- **poolwatch-batched-full**: the same at `synchronous=FULL` (an fsync per COMMIT).\n");
        sb.append("- **hikari-tuned-full**: hikari-tuned at `synchronous=FULL`.\n\n");
        sb.append("Single-thread ceilings of this SQLite file, measured in this run: one thread, one raw connection, the")
                .append(" benchmark's write (UPDATE a row + INSERT a row), writes per second, with the two statements")
                .append(" prepared for each write (as the benchmark's callers prepare them) and prepared once (what")
                .append(" SQLite itself can do; poolwatch keeps prepared statements). The targets use the higher.\n\n");
        sb.append("| synchronous | 1 write per transaction | 1, prepared once | 100 writes per transaction |")
                .append(" 100, prepared once |\n|---|---:|---:|---:|---:|\n");
        for (SQLiteConfig.SynchronousMode mode : MODES) {
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.0f | %.0f |%n", mode,
                    ceilings.get(key(mode, 1, false)), ceilings.get(key(mode, 1, true)),
                    ceilings.get(key(mode, 100, false)), ceilings.get(key(mode, 100, true))));
        }
        sb.append("\n| scenario | batched at | writes/s | vs best HikariCP | vs 100-per-transaction ceiling |")
                .append(" write p99 ms (submit to acknowledgement) | errors | integrity |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Scenario s : scenarios) {
            for (SQLiteConfig.SynchronousMode mode : MODES) {
                boolean full = mode == SQLiteConfig.SynchronousMode.FULL;
                ScenarioBenchmark.Result b = find(results, s, full ? "poolwatch-batched-full" : "poolwatch-batched");
                double hikari = results.stream().filter(r -> r.scenario().equals(s) && r.setup().startsWith("hikari")
                        && r.setup().endsWith("-full") == full).mapToDouble(ScenarioBenchmark.Result::writesPerSecond)
                        .max().orElse(Double.NaN);
                double vsHikari = b.writesPerSecond() / hikari;
                double vsCeiling = b.writesPerSecond() / ceiling(ceilings, mode, 100);
                double target = full ? 10 : 3;
                sb.append(String.format(Locale.ROOT, "| %s (%d workers) | %s | %.0f | %.2f× (target ≥ %.0f×: %s) |"
                                + " %.2f× (target ≥ 0.7×: %s) | %.2f (target ≤ 10: %s) | %d | %s |%n",
                        s.name(), s.workers(), mode, b.writesPerSecond(), vsHikari, target, verdict(vsHikari >= target),
                        vsCeiling, verdict(vsCeiling >= 0.7), b.writeP99() / 1e6, verdict(b.writeP99() <= 10_000_000L),
                        b.errors(), b.integrityOk() ? "ok" : "FAILED (" + b.missingWrites() + " missing)"));
            }
        }
        sb.append("\nBest HikariCP = the best of hikari-naive, hikari-tuned and hikari-split at NORMAL, and")
                .append(" hikari-tuned-full at FULL.\n\n");
        return sb.toString();
    }

    /** The higher of the two ceilings at {@code perTransaction}: the stricter yardstick. */
    static double ceiling(Map<String, Double> ceilings, SQLiteConfig.SynchronousMode mode, int perTransaction) {
        return Math.max(ceilings.get(key(mode, perTransaction, false)), ceilings.get(key(mode, perTransaction, true)));
    }

    private static String verdict(boolean met) {
        return met ? "**met**" : "**missed**";
    }

    private static ScenarioBenchmark.Result find(List<ScenarioBenchmark.Result> results, Scenario s, String setup) {
        return results.stream().filter(r -> r.scenario().equals(s) && r.setup().equals(setup)).findFirst().orElseThrow();
    }
}
