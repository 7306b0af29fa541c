package dev.poolwatch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
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

    /** "NORMAL/1" → writes per second: the median of {@code rounds} runs of {@code measured} each. */
    static Map<String, Double> ceilings(Path work, Duration measured, int rounds) throws Exception {
        Map<String, List<Double>> runs = new TreeMap<>();
        for (int round = 0; round < rounds; round++) {
            for (SQLiteConfig.SynchronousMode mode : MODES) {
                for (int k : PER_TRANSACTION) {
                    System.out.printf(Locale.ROOT, "ceiling: one thread, synchronous=%s, %d writes per transaction%n",
                            mode, k);
                    runs.computeIfAbsent(mode + "/" + k, x -> new ArrayList<>()).add(ceiling(work, mode, k, measured));
                }
            }
        }
        Map<String, Double> medians = new TreeMap<>();
        runs.forEach((key, values) -> medians.put(key, median(values)));
        return medians;
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
    private static double ceiling(Path work, SQLiteConfig.SynchronousMode mode, int perTransaction, Duration measured)
            throws Exception {
        Path db = Files.createTempFile(work, "ceiling-", ".db");
        Files.delete(db);
        ScenarioBenchmark.createSchema(db);
        try (Connection c = BenchSetup.tuned(mode).createConnection("jdbc:sqlite:" + db)) {
            c.setAutoCommit(false);
            long opId = 0;
            long warmEnd = System.nanoTime() + Math.min(ScenarioBenchmark.WARM_UP.toNanos(), measured.toNanos());
            while (System.nanoTime() < warmEnd) {
                opId = transaction(c, opId, perTransaction);
            }
            long start = System.nanoTime();
            long first = opId;
            long deadline = start + measured.toNanos();
            while (System.nanoTime() < deadline) {
                opId = transaction(c, opId, perTransaction);
            }
            return (opId - first) / ((System.nanoTime() - start) / 1e9);
        } finally {
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(db + suffix));
            }
        }
    }

    private static long transaction(Connection c, long opId, int writes) throws SQLException {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < writes; i++) {
            BotWorkload.write(c, 1 + rnd.nextInt(1000), ++opId);
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
                .append(" benchmark's write (UPDATE a row + INSERT a row), writes per second.\n\n");
        sb.append("| synchronous | 1 write per transaction | 100 writes per transaction |\n|---|---:|---:|\n");
        for (SQLiteConfig.SynchronousMode mode : MODES) {
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.0f |%n", mode, ceilings.get(mode + "/1"),
                    ceilings.get(mode + "/100")));
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
                double vsCeiling = b.writesPerSecond() / ceilings.get(mode + "/100");
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

    private static String verdict(boolean met) {
        return met ? "**met**" : "**missed**";
    }

    private static ScenarioBenchmark.Result find(List<ScenarioBenchmark.Result> results, Scenario s, String setup) {
        return results.stream().filter(r -> r.scenario().equals(s) && r.setup().equals(setup)).findFirst().orElseThrow();
    }
}
