package dev.poolwatch.reliability;

import dev.poolwatch.load.FaultInjector;
import dev.poolwatch.load.LoadRunner;
import dev.poolwatch.load.Scenario;
import dev.poolwatch.load.ScenarioResult;
import dev.poolwatch.load.WriteMode;
import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The extreme scenario for a long time with a fault injected and healed every 20 s (leak then reclaim, lock, slow
 * queries, WAL bloat then checkpoint, restart), measuring what a long run could leak: heap and file descriptors
 * sampled every {@link #SAMPLE_EVERY} (the trend, not only the two ends), connections, WAL. A fault counts as survived
 * when, after it, a probe write and read succeed again within {@link #HEAL_WITHIN}. {@code scripts/soak} runs it for
 * 30 minutes with plain writes and again through group commit; {@code SoakTest} for 2 minutes in CI.
 */
public final class Soak {

    static final Duration SAMPLE_EVERY = Duration.ofSeconds(60);
    static final Duration HEAL_WITHIN = Duration.ofSeconds(10);

    /** Heap after GC and open file descriptors at one moment of the run. */
    record Sample(long atSeconds, long heapMb, long fds) {
    }

    /** What a soak run measured. */
    record Report(Duration duration, WriteMode mode, ScenarioResult load, int faults, int survived, int cutShort,
                  List<Sample> samples, PoolStats end) {
        long heapStartMb() {
            return samples.get(0).heapMb();
        }

        long heapEndMb() {
            return samples.get(samples.size() - 1).heapMb();
        }

        long fdsStart() {
            return samples.get(0).fds();
        }

        long fdsEnd() {
            return samples.get(samples.size() - 1).fds();
        }

        long heapMaxMb() {
            return samples.stream().mapToLong(Sample::heapMb).max().orElseThrow();
        }

        long fdsMax() {
            return samples.stream().mapToLong(Sample::fds).max().orElseThrow();
        }

        /** Least-squares slope of heap after GC over the run, in MiB per 10 minutes: a leak shows as a steady rise. */
        double heapSlopeMbPer10Min() {
            int n = samples.size();
            if (n < 2) {
                return 0;
            }
            double mx = samples.stream().mapToLong(Sample::atSeconds).average().orElseThrow();
            double my = samples.stream().mapToLong(Sample::heapMb).average().orElseThrow();
            double num = 0;
            double den = 0;
            for (Sample s : samples) {
                num += (s.atSeconds() - mx) * (s.heapMb() - my);
                den += (s.atSeconds() - mx) * (s.atSeconds() - mx);
            }
            return den == 0 ? 0 : num / den * 600;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d min extreme load (25 workers, %s writes) with %d injected faults,"
                            + " %d survived (probe write and read within %d s), %d cut short by the end of the run: %d"
                            + " operations, %d acknowledged writes,"
                            + " %d errors %s; heap after GC %d → %d MiB (max %d, trend %+.1f MiB per 10 min over %d"
                            + " samples); file descriptors %d → %d (max %d); connections open at the end %d (all"
                            + " idle), WAL %d KiB; integrity %s",
                    duration.toMinutes(), mode == WriteMode.BATCHED ? "group-commit" : "plain", faults, survived,
                    HEAL_WITHIN.toSeconds(), cutShort, load.operations(), load.acknowledgedWrites(), load.errors(),
                    load.errorsByKind(), heapStartMb(), heapEndMb(), heapMaxMb(), heapSlopeMbPer10Min(),
                    samples.size(), fdsStart(), fdsEnd(), fdsMax(), end.writer().total() + end.reader().total(),
                    end.walSizeBytes() / 1024, load.integrityOk() ? "ok" : "FAILED");
        }
    }

    private Soak() {
    }

    static long heapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the pool serves a write and a read again within {@link #HEAL_WITHIN} after a fault. */
    static boolean heals(SqlitePool pool) throws InterruptedException {
        long deadline = System.nanoTime() + HEAL_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                pool.write(c -> {
                    try (var st = c.createStatement()) {
                        st.execute("CREATE TABLE IF NOT EXISTS soak_probe(n INTEGER)");
                        st.execute("DELETE FROM soak_probe");
                        st.execute("INSERT INTO soak_probe VALUES (1)");
                    }
                    return null;
                });
                Integer n = pool.read(c -> {
                    try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM soak_probe")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                });
                if (n == 1) {
                    return true;
                }
            } catch (SQLException e) {
                Thread.sleep(200);
            }
        }
        return false;
    }

    static Report run(Duration duration, Path dir, WriteMode mode) throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("soak.db")).name("soak")
                .acquireTimeout(Duration.ofSeconds(2)).busyTimeout(Duration.ofMillis(500))
                .leakDetectionThreshold(Duration.ofSeconds(2)).leakReclaimTimeout(Duration.ofMillis(2500)).build());
             FaultInjector faults = new FaultInjector(pool)) {
            LoadRunner runner = new LoadRunner(pool, mode);
            long startNanos = System.nanoTime();
            List<Sample> samples = new CopyOnWriteArrayList<>();
            samples.add(new Sample(0, heapMb(), openFds()));
            AtomicInteger injected = new AtomicInteger();
            AtomicInteger survived = new AtomicInteger();
            AtomicInteger cutShort = new AtomicInteger();
            ScheduledExecutorService chaos = Executors.newScheduledThreadPool(2);
            chaos.scheduleAtFixedRate(() -> samples.add(new Sample(
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), heapMb(), openFds())),
                    SAMPLE_EVERY.toSeconds(), SAMPLE_EVERY.toSeconds(), TimeUnit.SECONDS);
            chaos.scheduleWithFixedDelay(() -> {
                try {
                    switch (injected.getAndIncrement() % 5) {
                        case 0 -> {
                            faults.start(FaultInjector.Fault.LEAK, Duration.ofSeconds(60));
                            Thread.sleep(3000);
                            pool.reclaimSuspectedLeaks();
                            faults.end(FaultInjector.Fault.LEAK);
                        }
                        case 1 -> {
                            faults.start(FaultInjector.Fault.LOCK, Duration.ofSeconds(2));
                            Thread.sleep(2500);
                        }
                        case 2 -> {
                            faults.start(FaultInjector.Fault.SLOW, Duration.ofSeconds(3));
                            Thread.sleep(3500);
                        }
                        case 3 -> {
                            faults.start(FaultInjector.Fault.WAL_BLOAT, Duration.ofSeconds(1));
                            Thread.sleep(1500);
                            pool.checkpoint(CheckpointMode.TRUNCATE);
                        }
                        default -> pool.restart();
                    }
                    if (heals(pool)) {
                        survived.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    cutShort.incrementAndGet();
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    System.err.println("soak fault step: " + e);
                }
            }, 5, 20, TimeUnit.SECONDS);
            ScenarioResult result;
            try {
                result = runner.run(Scenario.named("extreme").withDuration(duration), p -> { });
            } finally {
                chaos.shutdownNow();
                chaos.awaitTermination(30, TimeUnit.SECONDS);
                faults.endAll();
            }
            pool.checkpoint(CheckpointMode.TRUNCATE);
            PoolStats end = pool.stats();
            // The load leaves up to maxReaders readers open, three descriptors each, where the first sample saw one:
            // closing the idle ones first makes the two ends count the same connections, so what differs is a leak.
            pool.evictIdle();
            samples.add(new Sample(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), heapMb(),
                    openFds()));
            return new Report(duration, mode, result, injected.get(), survived.get(), cutShort.get(),
                    List.copyOf(samples), end);
        }
    }

    /** Usage: {@code Soak [MINUTES [plain|batched]]}. */
    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMinutes(args.length > 0 ? Long.parseLong(args[0]) : 30);
        WriteMode mode = args.length > 1 ? WriteMode.named(args[1]) : WriteMode.PLAIN;
        if (mode == null) {
            System.err.println("soak: write mode must be plain or batched, got " + args[1]);
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("poolwatch-soak-");
        try {
            Report r = run(duration, dir, mode);
            System.out.println(r.describe());
            for (Sample s : r.samples()) {
                System.out.printf(Locale.ROOT, "sample %5d s  heap %4d MiB  fds %d%n", s.atSeconds(), s.heapMb(),
                        s.fds());
            }
            boolean leaked = r.end().writer().active() + r.end().reader().active() > 0
                    || r.fdsEnd() > r.fdsStart() + 40;
            Figures.record(mode == WriteMode.BATCHED ? "Soak, group commit" : "Soak, plain writes", r.describe(),
                    r.faults(), r.load().integrityOk() ? "0 acknowledged writes" : "SOME");
            if (!r.load().integrityOk() || leaked || r.survived() + r.cutShort() < r.faults()) {
                System.exit(1);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
