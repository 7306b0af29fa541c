package dev.poolwatch.load;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.sqlite.SQLiteConfig;

/**
 * Runs every benchmark of docs/benchmarks.md in one go on this machine and rewrites that file and its plot:
 * scenario comparison against HikariCP and a serial baseline, connection cycle (JMH), metrics overhead, scrape cost.
 * {@code scripts/bench} runs it; {@code --seconds N} sets each scenario's duration (default 15).
 */
public final class Benchmarks {
    /**
     * The overhead is a few percent, and so is the noise of one cell on a shared machine: with three rounds one
     * noisy cell set the median.
     */
    private static final int METRICS_ROUNDS = 7;
    /** JMH forks per thread count: one fork is one JVM's luck (code layout, JIT order), as one round is one cell's. */
    private static final int JMH_FORKS = 3;

    private Benchmarks() {
    }

    private record Named(String name, Function<Path, BenchSetup> factory) {
    }

    /** What scripts/bench was asked for; checked before anything runs, so a mistake costs no half-hour run. */
    record BenchOptions(int seconds, int rounds, Path out) {

        static BenchOptions parse(String... args) {
            int seconds = 8;
            int rounds = 3;
            Path out = Path.of("docs/benchmarks.md");
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (!name.equals("--seconds") && !name.equals("--rounds") && !name.equals("--out")) {
                    throw new IllegalArgumentException("unknown argument '" + name
                            + "'; use --seconds N, --rounds N and --out FILE");
                }
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                String value = args[++i];
                if (name.equals("--out")) {
                    out = Path.of(value);
                } else if (name.equals("--seconds")) {
                    seconds = atLeastOne(name, value);
                } else {
                    rounds = atLeastOne(name, value);
                }
            }
            if (Files.isDirectory(out)) {
                throw new IllegalArgumentException("--out " + out + " is a directory; give the page's file, for example "
                        + out.resolve("benchmarks.md"));
            }
            Path dir = out.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw new IllegalArgumentException("--out " + out + ": " + dir + " is not a writable directory (the"
                        + " page and its plot, benchmarks.png, are written there)");
            }
            return new BenchOptions(seconds, rounds, out);
        }

        private static int atLeastOne(String name, String value) {
            int n;
            try {
                n = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a whole number of at least 1, was '" + value + "'");
            }
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be at least 1, was " + n);
            }
            return n;
        }
    }

    public static void main(String[] args) throws Exception {
        BenchOptions o;
        try {
            o = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("scripts/bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path work = Files.createTempDirectory("poolwatch-bench-");
        try {
            run(o.seconds(), o.rounds(), o.out(), work);
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Function<Path, BenchSetup> unchecked(Factory f) {
        return p -> {
            try {
                return f.open(p);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    private interface Factory {
        BenchSetup open(Path db) throws Exception;
    }

    private static void run(int seconds, int rounds, Path out, Path work) throws Exception {
        Duration d = Duration.ofSeconds(seconds);
        List<Scenario> scenarios = List.of(
                Scenario.named("light").withDuration(d),
                Scenario.named("medium").withDuration(d),
                Scenario.named("extreme").withDuration(d),
                Scenario.named("write-heavy").withDuration(d),
                Scenario.named("burst").withDuration(d));
        List<Named> setups = List.of(
                new Named("poolwatch", unchecked(db -> BenchSetup.poolwatch(db, false))),
                new Named("hikari-tuned", unchecked(BenchSetup::hikariTuned)),
                new Named("hikari-split", unchecked(BenchSetup::hikariSplit)),
                new Named("serial", unchecked(BenchSetup::serial)),
                new Named("hikari-naive", unchecked(BenchSetup::hikariNaive)));
        List<ScenarioBenchmark.Result> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (Scenario s : scenarios) {
                // Rotate the order each round, so no setup always runs first (or last) on a warming machine.
                for (int k = 0; k < setups.size(); k++) {
                    Named n = setups.get((k + round) % setups.size());
                    if (n.name().equals("hikari-naive") && round > 0) {
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "round %d/%d: scenario %s on %s (%d s)%n", round + 1, rounds,
                            s.name(), n.name(), seconds);
                    results.add(ScenarioBenchmark.run(work, s, n.factory()));
                }
            }
        }
        // Group commit (issue 12): extreme and write-heavy with 25 workers, batched at NORMAL and FULL against
        // HikariCP at both; the plain cells of extreme are reused from above.
        List<Scenario> batchScenarios = List.of(scenarios.get(2),
                Scenario.named("write-heavy").withDuration(d).withWorkers(25));
        List<Named> batchSetups = List.of(
                new Named("poolwatch-batched", unchecked(db -> BenchSetup.poolwatchBatched(db,
                        SqlitePoolConfig.Synchronous.NORMAL))),
                new Named("poolwatch-batched-full", unchecked(db -> BenchSetup.poolwatchBatched(db,
                        SqlitePoolConfig.Synchronous.FULL))),
                new Named("hikari-tuned-full", unchecked(BenchSetup::hikariTunedFull)),
                new Named("hikari-tuned", unchecked(BenchSetup::hikariTuned)),
                new Named("hikari-split", unchecked(BenchSetup::hikariSplit)));
        List<ScenarioBenchmark.Result> batchResults = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (Scenario s : batchScenarios) {
                for (int k = 0; k < batchSetups.size(); k++) {
                    Named n = batchSetups.get((k + round) % batchSetups.size());
                    if (s == scenarios.get(2) && n.name().startsWith("hikari-") && !n.name().endsWith("-full")) {
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "round %d/%d: group commit, scenario %s (%d workers) on %s%n",
                            round + 1, rounds, s.name(), s.workers(), n.name());
                    batchResults.add(ScenarioBenchmark.run(work, s, n.factory()));
                }
            }
        }
        List<ScenarioBenchmark.Result> batchMedians = new ArrayList<>(Cells.medians(batchResults, batchScenarios,
                batchSetups.stream().map(Named::name).toList()));
        batchMedians.addAll(Cells.medians(results, List.of(scenarios.get(2)), List.of("hikari-tuned", "hikari-split")));
        Map<String, Double> ceilings = GroupCommitBench.ceilings(work, d, rounds);
        System.out.println("where the writer's time went (extreme, plain and batched, with a timeline listener)");
        String writerTime = WriterDiagnostics.markdown(WriterDiagnostics.run(work, scenarios.get(2), false),
                WriterDiagnostics.run(work, scenarios.get(2), true));
        System.out.println("metrics overhead (medium, " + METRICS_ROUNDS + " rounds each, alternating which runs first)");
        List<double[]> overheadRounds = new ArrayList<>();
        Scenario overhead = Scenario.named("medium").withDuration(Duration.ofSeconds(Math.max(3, seconds / 2)));
        for (int round = 0; round < METRICS_ROUNDS; round++) {
            double[] pair = new double[2];
            for (boolean metrics : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                pair[metrics ? 1 : 0] = ScenarioBenchmark.run(work, overhead,
                        unchecked(db -> BenchSetup.poolwatch(db, metrics))).opsPerSecond();
            }
            overheadRounds.add(pair);
        }
        System.out.println("connection cycle (JMH)");
        Map<String, Double> cycle = new LinkedHashMap<>();
        Map<String, Double> cycleError = new LinkedHashMap<>();
        for (int threads : new int[] {1, 8}) {
            Options opt = new OptionsBuilder().include(CycleBenchmark.class.getName()).forks(JMH_FORKS)
                    .threads(threads).warmupIterations(2).warmupTime(TimeValue.seconds(1)).measurementIterations(3)
                    .measurementTime(TimeValue.seconds(2)).shouldFailOnError(true).build();
            for (RunResult r : new Runner(opt).run()) {
                String method = r.getParams().getBenchmark().substring(r.getParams().getBenchmark().lastIndexOf('.') + 1);
                cycle.put(method + "/" + threads, r.getPrimaryResult().getScore());
                cycleError.put(method + "/" + threads, r.getPrimaryResult().getScoreError());
            }
        }
        System.out.println("scrape cost");
        Map<Integer, double[]> scrape = new LinkedHashMap<>();
        for (int pools : new int[] {1, 10, 50}) {
            scrape.put(pools, scrapeCost(work, pools));
        }
        Path plot = out.resolveSibling("benchmarks.png");
        List<ScenarioBenchmark.Result> medians = Cells.medians(results, scenarios,
                setups.stream().map(Named::name).toList());
        plot(medians, scenarios, setups.stream().map(Named::name).toList(), plot);
        Files.writeString(out, markdown(seconds, rounds, results, medians, scenarios, setups.stream().map(Named::name).toList(),
                MetricsOverhead.of(overheadRounds, cycle), cycle, cycleError, scrape, plot.getFileName().toString(),
                GroupCommitBench.ceiling(ceilings, SQLiteConfig.SynchronousMode.NORMAL, 1))
                + GroupCommitBench.markdown(batchMedians, batchScenarios, ceilings) + writerTime);
        System.out.println("wrote " + out + " and " + plot);
    }

    /** Median latency (ms) of 50 scrapes and the body size (bytes) with {@code pools} pools. */
    private static double[] scrapeCost(Path work, int pools) throws Exception {
        Path dir = Files.createTempDirectory(work, "scrape-");
        List<SqlitePool> opened = new ArrayList<>();
        try {
            PoolWatch.Builder b = PoolWatch.builder().port(0);
            for (int i = 0; i < pools; i++) {
                SqlitePool p = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("p" + i + ".db")).name("p" + i)
                        .maxReaders(2).minReaders(0).build());
                opened.add(p);
                p.read(c -> c.isValid(1));
                b.pool(p);
            }
            try (PoolWatch watch = b.start()) {
                HttpClient client = HttpClient.newHttpClient();
                HttpRequest req = HttpRequest.newBuilder(URI.create(watch.uri() + "/metrics")).build();
                int size = 0;
                double[] ms = new double[60];
                for (int i = 0; i < ms.length; i++) {
                    long t0 = System.nanoTime();
                    size = client.send(req, HttpResponse.BodyHandlers.ofByteArray()).body().length;
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                }
                double[] measured = Arrays.copyOfRange(ms, 10, ms.length);
                Arrays.sort(measured);
                return new double[] {measured[measured.length / 2], size};
            }
        } finally {
            opened.forEach(SqlitePool::close);
        }
    }

    private static String markdown(int seconds, int rounds, List<ScenarioBenchmark.Result> all,
                                   List<ScenarioBenchmark.Result> results, List<Scenario> scenarios,
                                   List<String> setups, MetricsOverhead overhead, Map<String, Double> cycle,
                                   Map<String, Double> cycleError,
                                   Map<Integer, double[]> scrape, String plot, double oneWritePerTransaction)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("# Benchmarks\n\n");
        sb.append("Generated by `scripts/bench` on ").append(Instant.now().toString(), 0, 10)
                .append(". Every figure below comes from one run on one machine, side by side; shared machines are")
                .append(" noisy, so compare ratios within this page, not absolute numbers across runs.\n\n");
        sb.append("## Machine and versions\n\n");
        sb.append("| | |\n|---|---|\n");
        sb.append("| CPUs | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n");
        sb.append("| Memory | ").append(memory()).append(" |\n");
        sb.append("| OS | ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
                .append(" |\n");
        sb.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.version")).append(" |\n");
        sb.append("| sqlite-jdbc | ").append(org.sqlite.SQLiteJDBCLoader.getVersion()).append(" |\n");
        sb.append("| HikariCP | ").append(mavenVersion("com.zaxxer", "HikariCP")).append(" |\n\n");
        sb.append("Command: `scripts/bench` (this run: `--seconds ").append(seconds).append(" --rounds ")
                .append(rounds).append("`).\n\n");
        sb.append("## Scenario comparison\n\n");
        sb.append("The bot workload (point reads by key, ten-row range reads, write transactions that update a row and")
                .append(" append one), closed loop (each worker starts its next operation when the previous one ends;")
                .append(" in `burst` each worker pauses ").append(ScenarioBenchmark.BURST_PAUSE_MILLIS)
                .append(" ms, all meet at a barrier, then each runs ").append(ScenarioBenchmark.BURST_OPS)
                .append(" operations at once, and its ops/s counts the pauses), fresh database")
                .append(" file per cell, ").append(ScenarioBenchmark.WARM_UP.toSeconds()).append(" s unmeasured warm-up")
                .append(" then ").append(seconds).append(" s measured per cell (the operations that began after")
                .append(" the warm-up and ended within them), ").append(rounds)
                .append(" rounds with the setups in a rotating order; the table shows medians over rounds")
                .append(" (hikari-naive: one round). Every setup is used the way an application uses HikariCP:")
                .append(" `getConnection()` from a DataSource, auto-commit off for a write, `commit()`, `close()`.")
                .append(" Setups:\n\n");
        sb.append("- **poolwatch**: defaults (1 writer + 19 read-only readers, WAL, `synchronous=NORMAL`), leak detection")
                .append(" off as in HikariCP's default, through `pool.writer()` and `pool.reader()`.\n");
        sb.append("- **hikari-naive**: HikariCP, 10 connections, sqlite-jdbc defaults (rollback journal, busy_timeout 3 s,")
                .append(" DEFERRED).\n");
        sb.append("- **hikari-tuned**: HikariCP, 10 connections, WAL, busy_timeout 5 s, `synchronous=NORMAL`, IMMEDIATE.\n");
        sb.append("- **hikari-split**: two HikariCP pools, 1 writer + 8 read-only readers, WAL.\n");
        sb.append("- **serial**: one WAL connection behind a fair lock (no concurrency at all).\n\n");
        sb.append("![throughput and p99 per scenario and setup](").append(plot).append(")\n\n");
        sb.append("| scenario | setup | ops/s | ops/s per round | reads/s | writes/s | errors | p50 ms | p99 ms | write p99 ms |")
                .append(" max ms (median / worst round) |\n");
        sb.append("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ScenarioBenchmark.Result r : results) {
            String perRound = Cells.rounds(all, r.scenario(), r.setup()).stream()
                    .map(x -> String.format(Locale.ROOT, "%.0f", x.opsPerSecond()))
                    .collect(java.util.stream.Collectors.joining(", "));
            sb.append(String.format(Locale.ROOT, "| %s (%d workers, %d%% reads) | %s | %.0f | %s | %.0f | %.0f | %d%s | %.2f | %.2f | %.2f | %.0f / %.0f |%n",
                    r.scenario().name(), r.scenario().workers(), r.scenario().readPercent(), r.setup(), r.opsPerSecond(),
                    perRound, r.readsPerSecond(), r.writesPerSecond(), r.errors(),
                    r.errorKinds().isEmpty() ? "" : " " + r.errorKinds(), r.opP50() / 1e6, r.opP99() / 1e6,
                    r.writeP99() / 1e6, r.opMax() / 1e6, Cells.worstMax(all, r.scenario(), r.setup()) / 1e6));
        }
        sb.append("\n### Ratios (poolwatch ÷ other setup, same scenario, medians)\n\n");
        sb.append("| scenario | vs | ops/s | writes/s | p99 (lower is better) |\n|---|---|---:|---:|---:|\n");
        for (Scenario s : scenarios) {
            ScenarioBenchmark.Result pw = find(results, s, "poolwatch");
            for (String other : setups.subList(1, setups.size())) {
                ScenarioBenchmark.Result o = find(results, s, other);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f× | %.2f× | %.2f× |%n", s.name(), other,
                        pw.opsPerSecond() / o.opsPerSecond(), pw.writesPerSecond() / Math.max(1e-9, o.writesPerSecond()),
                        (double) pw.opP99() / Math.max(1, o.opP99())));
            }
        }
        sb.append("\nWhere the time goes, from a JFR profile, and what would move the figures: [profile.md](profile.md).\n");
        sb.append("\n### Against the targets\n\n");
        sb.append("| target | scenario | result | |\n|---|---|---:|---|\n");
        for (Scenario s : scenarios) {
            ScenarioBenchmark.Result pw = find(results, s, "poolwatch");
            double best = bestHikari(results, s).opsPerSecond();
            double ratio = pw.opsPerSecond() / best;
            sb.append(String.format(Locale.ROOT, "| ops/s ≥ 1.2× the best HikariCP setup | %s | %.2f× | %s |%n",
                    s.name(), ratio, verdict(ratio >= 1.2, ratio, 1.2)));
        }
        long pwErrors = all.stream().filter(r -> r.setup().equals("poolwatch")).mapToLong(ScenarioBenchmark.Result::errors).sum();
        sb.append(String.format(Locale.ROOT, "| zero errors | all, every round | %d | %s |%n", pwErrors,
                pwErrors == 0 ? "**met**" : "**missed**"));
        for (Scenario s : scenarios) {
            if (s.workers() < 25) {
                continue;
            }
            ScenarioBenchmark.Result pw = find(results, s, "poolwatch");
            double p99 = pw.opP99() / 1e6;
            double max = Cells.worstMax(all, s, "poolwatch") / 1e6;
            sb.append(String.format(Locale.ROOT, "| p99 ≤ 5 ms at 25 workers | %s | %.2f ms | %s |%n", s.name(), p99,
                    verdict(p99 <= 5, 5 / Math.max(p99, 1e-9), 1)));
            sb.append(String.format(Locale.ROOT, "| max ≤ 25 ms at 25 workers (worst round) | %s | %.1f ms | %s |%n",
                    s.name(), max, verdict(max <= 25, 25 / Math.max(max, 1e-9), 1)));
        }
        double cycle1 = cycle.getOrDefault("poolwatch/1", 0.0) / cycle.getOrDefault("hikari/1", 1.0);
        double cycle8 = cycle.getOrDefault("poolwatch/8", 0.0) / cycle.getOrDefault("hikari/8", 1.0);
        sb.append(String.format(Locale.ROOT, "| JMH borrow/return cycle ≥ 1.0× HikariCP | 1 thread | %.2f× | %s |%n",
                cycle1, verdict(cycle1 >= 1, cycle1, 1)));
        sb.append(String.format(Locale.ROOT, "| JMH borrow/return cycle ≥ 1.0× HikariCP | 8 threads | %.2f× | %s |%n",
                cycle8, verdict(cycle8 >= 1, cycle8, 1)));
        sb.append(overhead.targetRow());
        sb.append('\n');
        for (Scenario s : scenarios) {
            if (s.burst()) {
                ScenarioBenchmark.Result best = bestHikari(results, s);
                sb.append(BurstCycle.of(s).explain(find(results, s, "poolwatch").opsPerSecond(), best.setup(),
                        best.opsPerSecond(), oneWritePerTransaction));
            }
        }
        sb.append("## Connection cycle (JMH 1.37)\n\n");
        sb.append("Borrow and return one connection on a real SQLite file (WAL), nothing else; 8 connections in each pool;")
                .append(" ").append(JMH_FORKS).append(" forks, each 2 × 1 s warm-up and 3 × 2 s measurement. Operations per")
                .append(" microsecond over all forks' iterations, ± JMH's 99.9 % confidence half-width; higher is better.\n\n");
        sb.append("| benchmark | 1 thread | 8 threads |\n|---|---:|---:|\n");
        for (String b : List.of("poolwatch", "poolwatchWithLeakDetection", "poolwatchWithBorrowSites",
                "poolwatchWithMetrics", "poolwatchWithMetricsSystemClock", "hikari")) {
            sb.append(String.format(Locale.ROOT, "| %s | %.3f ± %.3f | %.3f ± %.3f |%n", b,
                    cycle.getOrDefault(b + "/1", Double.NaN), cycleError.getOrDefault(b + "/1", Double.NaN),
                    cycle.getOrDefault(b + "/8", Double.NaN), cycleError.getOrDefault(b + "/8", Double.NaN)));
        }
        sb.append("\n`poolwatch` has leak detection off, like HikariCP's default; `poolwatchWithLeakDetection` is")
                .append(" poolwatch's default (leak detection on, 60 s); `poolwatchWithBorrowSites` also records where")
                .append(" each connection was borrowed (`leakDetectionStackTraces(true)`), which costs a stack trace")
                .append(" per borrow; `poolwatchWithMetrics` is `poolwatch` with the Micrometer binder attached to the"
                + " exporter's registry (`MeterRegistries.prometheus()`), `poolwatchWithMetricsSystemClock` to a plain"
                + " `new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)`, whose clock reads the system's wall time twice"
                + " per timer record.\n\n");
        sb.append(overhead.section());
        sb.append("## Scrape cost\n\n");
        sb.append("`GET /metrics` (Prometheus text, JVM meters included), median of 50 scrapes after 10 warm-up ones.\n\n");
        sb.append("| pools | median ms | body bytes |\n|---:|---:|---:|\n");
        scrape.forEach((pools, v) -> sb.append(String.format(Locale.ROOT, "| %d | %.2f | %.0f |%n", pools, v[0], v[1])));
        return sb.toString();
    }

    private static String verdict(boolean met, double ratio, double target) {
        return met ? "**met**" : String.format(Locale.ROOT, "**missed** by %.1f%%", (target - ratio) / target * 100);
    }

    /** The HikariCP setup with the most ops/s in {@code s}: what the 1.2× target compares with. */
    private static ScenarioBenchmark.Result bestHikari(List<ScenarioBenchmark.Result> results, Scenario s) {
        return results.stream().filter(r -> r.scenario().equals(s) && r.setup().startsWith("hikari"))
                .max(Comparator.comparingDouble(ScenarioBenchmark.Result::opsPerSecond)).orElseThrow();
    }

    private static ScenarioBenchmark.Result find(List<ScenarioBenchmark.Result> results, Scenario s, String setup) {
        return results.stream().filter(r -> r.scenario().equals(s) && r.setup().equals(setup)).findFirst().orElseThrow();
    }

    /**
     * The version Maven resolved for a dependency, from the {@code pom.properties} in its jar: HikariCP's manifest has
     * no Implementation-Version, so {@code Package.getImplementationVersion()} is null for it.
     */
    static String mavenVersion(String groupId, String artifactId) throws IOException {
        String resource = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (java.io.InputStream in = Benchmarks.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " is not on the class path");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version");
        }
    }

    private static String memory() {
        try {
            long bytes = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            return String.format(Locale.ROOT, "%.0f GiB", bytes / (1024.0 * 1024 * 1024));
        } catch (ClassCastException e) {
            return "unknown";
        }
    }

    private static void plot(List<ScenarioBenchmark.Result> results, List<Scenario> scenarios, List<String> setups,
                             Path file) throws IOException {
        int w = 1100;
        int h = 520;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        Color[] colors = {new Color(0x2E7D32), new Color(0xC62828), new Color(0xEF6C00), new Color(0x1565C0),
                new Color(0x6D4C41), new Color(0x00ACC1), new Color(0x7B1FA2), new Color(0x9E9D24)};
        panel(g, 20, "Throughput (ops/s, higher is better)", results, scenarios, setups, colors,
                ScenarioBenchmark.Result::opsPerSecond, false);
        panel(g, 560, "p99 operation latency (ms, log scale, lower is better)", results, scenarios, setups, colors,
                r -> r.opP99() / 1e6, true);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = 40;
        for (int i = 0; i < setups.size(); i++) {
            g.setColor(colors[i % colors.length]);
            g.fillRect(x, h - 30, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(setups.get(i), x + 20, h - 18);
            x += 28 + g.getFontMetrics().stringWidth(setups.get(i));
        }
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static void panel(Graphics2D g, int x0, String title, List<ScenarioBenchmark.Result> results,
                              List<Scenario> scenarios, List<String> setups, Color[] colors,
                              java.util.function.ToDoubleFunction<ScenarioBenchmark.Result> value, boolean log) {
        int top = 50;
        int height = 380;
        int width = 500;
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, x0 + 20, 30);
        double max = results.stream().mapToDouble(value).max().orElse(1);
        double min = results.stream().mapToDouble(value).filter(v -> v > 0).min().orElse(0.01);
        double lo = log ? Math.floor(Math.log10(min)) : 0;
        double hi = log ? Math.ceil(Math.log10(max)) : max * 1.1;
        g.setStroke(new BasicStroke(1));
        g.drawLine(x0 + 40, top + height, x0 + 40 + width - 50, top + height);
        g.drawLine(x0 + 40, top, x0 + 40, top + height);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int t = 0; t <= 4; t++) {
            double v = lo + (hi - lo) * t / 4;
            int y = top + height - (int) (height * t / 4.0);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(x0 + 41, y, x0 + 40 + width - 50, y);
            g.setColor(Color.DARK_GRAY);
            String label = log ? String.format(Locale.ROOT, "%.3g", Math.pow(10, v)) : String.format(Locale.ROOT, "%.0f", v);
            g.drawString(label, x0 - 5 - g.getFontMetrics().stringWidth(label) + 40, y + 4);
        }
        int groupWidth = (width - 60) / scenarios.size();
        int bar = (groupWidth - 20) / setups.size();
        for (int si = 0; si < scenarios.size(); si++) {
            int gx = x0 + 50 + si * groupWidth;
            for (int k = 0; k < setups.size(); k++) {
                ScenarioBenchmark.Result r = find(results, scenarios.get(si), setups.get(k));
                double v = value.applyAsDouble(r);
                double frac = log ? (Math.log10(Math.max(v, Math.pow(10, lo))) - lo) / (hi - lo) : v / hi;
                int bh = (int) (height * Math.max(0, Math.min(1, frac)));
                g.setColor(colors[k % colors.length]);
                g.fillRect(gx + k * bar, top + height - bh, bar - 2, bh);
            }
            g.setColor(Color.BLACK);
            g.drawString(scenarios.get(si).name(), gx + 5, top + height + 16);
        }
    }
}
