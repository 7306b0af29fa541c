package dev.poolwatch.reliability;

import dev.poolwatch.load.FaultInjector;
import dev.poolwatch.load.LoadRunner;
import dev.poolwatch.load.Scenario;
import dev.poolwatch.load.ScenarioResult;
import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The extreme scenario for a long time with a fault injected and healed every 20 s (leak then reclaim, lock, slow
 * queries, WAL bloat then checkpoint, restart), measuring what a long run could leak: heap, file descriptors,
 * connections, WAL. {@code scripts/soak} runs it for 30 minutes; {@code SoakTest} for 2 in CI.
 */
public final class Soak {

    /** What a soak run measured. */
    record Report(Duration duration, ScenarioResult load, int faults, long heapStartMb, long heapEndMb, long fdsStart,
                  long fdsEnd, PoolStats end) {
        String describe() {
            return String.format(Locale.ROOT, "%d min extreme load (25 workers) with %d injected faults: %d operations,"
                            + " %d errors %s; heap %d → %d MiB after GC; file descriptors %d → %d; connections open at"
                            + " the end %d (all idle), WAL %d KiB; integrity %s", duration.toMinutes(), faults,
                    load.operations(), load.errors(), load.errorsByKind(), heapStartMb, heapEndMb, fdsStart, fdsEnd,
                    end.writer().total() + end.reader().total(), end.walSizeBytes() / 1024,
                    load.integrityOk() ? "ok" : "FAILED");
        }
    }

    private Soak() {
    }

    static long heapMb() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static Report run(Duration duration, Path dir) throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("soak.db")).name("soak")
                .acquireTimeout(Duration.ofSeconds(2)).busyTimeout(Duration.ofMillis(500))
                .leakDetectionThreshold(Duration.ofSeconds(2)).build());
             FaultInjector faults = new FaultInjector(pool)) {
            LoadRunner runner = new LoadRunner(pool);
            long heapStart = heapMb();
            long fdsStart = openFds();
            AtomicInteger injected = new AtomicInteger();
            ScheduledExecutorService chaos = Executors.newSingleThreadScheduledExecutor();
            chaos.scheduleWithFixedDelay(() -> {
                try {
                    switch (injected.getAndIncrement() % 5) {
                        case 0 -> {
                            faults.start(FaultInjector.Fault.LEAK, Duration.ofSeconds(60));
                            Thread.sleep(3000);
                            pool.reclaimSuspectedLeaks();
                            faults.end(FaultInjector.Fault.LEAK);
                        }
                        case 1 -> faults.start(FaultInjector.Fault.LOCK, Duration.ofSeconds(2));
                        case 2 -> faults.start(FaultInjector.Fault.SLOW, Duration.ofSeconds(3));
                        case 3 -> {
                            faults.start(FaultInjector.Fault.WAL_BLOAT, Duration.ofSeconds(1));
                            Thread.sleep(1500);
                            pool.checkpoint(CheckpointMode.TRUNCATE);
                        }
                        default -> pool.restart();
                    }
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
            return new Report(duration, result, injected.get(), heapStart, heapMb(), fdsStart, openFds(), end);
        }
    }

    public static void main(String[] args) throws Exception {
        Duration duration = Duration.ofMinutes(args.length > 0 ? Long.parseLong(args[0]) : 30);
        Path dir = Files.createTempDirectory("poolwatch-soak-");
        try {
            Report r = run(duration, dir);
            System.out.println(r.describe());
            Figures.record("Soak", r.describe(), r.faults(), r.load().integrityOk() ? "0 acknowledged writes" : "SOME");
            if (!r.load().integrityOk() || r.end().writer().active() + r.end().reader().active() > 0) {
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
