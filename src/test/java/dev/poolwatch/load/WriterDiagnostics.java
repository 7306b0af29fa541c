package dev.poolwatch.load;

import dev.poolwatch.pool.SqlitePoolConfig;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Two extra cells of a scenario, one through poolwatch's DataSources and one through group commit, each with a
 * {@link WriterTimeline} attached and the machine's CPU time sampled around it: the page's account of where the one
 * writer's time went in this run, next to the figures it explains.
 */
final class WriterDiagnostics {

    /** Enough for a cell of a minute at 30 000 writes a second. */
    private static final int CAPACITY = 2_000_000;

    private WriterDiagnostics() {
    }

    record Cell(ScenarioBenchmark.Result result, WriterTimeline.Holds holds, WriterTimeline.Batches batches,
                String cpu) {
    }

    static Cell run(Path work, Scenario s, boolean batched) throws Exception {
        WriterTimeline timeline = new WriterTimeline(CAPACITY, System::nanoTime);
        CpuTimes before = CpuTimes.sample();
        long from = System.nanoTime() + ScenarioBenchmark.warmUp(s).toNanos();
        ScenarioBenchmark.Result r = ScenarioBenchmark.run(work, s, db -> {
            try {
                return batched ? BenchSetup.poolwatchBatched(db, SqlitePoolConfig.Synchronous.NORMAL, timeline)
                        : BenchSetup.poolwatch(db, false, timeline);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long to = System.nanoTime();
        CpuTimes after = CpuTimes.sample();
        return new Cell(r, batched ? null : timeline.holds(from), batched ? timeline.batches(from, to) : null,
                before == null || after == null ? "n/a" : after.sharesSince(before));
    }

    static String markdown(Cell plain, Cell batched) {
        StringBuilder md = new StringBuilder();
        md.append("## Where the writer's time went\n\n");
        md.append("Two more cells of ").append(plain.result().scenario().name()).append(" (")
                .append(plain.result().scenario().workers()).append(" workers), outside the comparison: poolwatch")
                .append(" through its DataSources and poolwatch-batched, each with a listener that timestamps every")
                .append(" writer borrow and return, or every batch (its callbacks run on the writer's path, so these")
                .append(" cells are a little slower than the compared ones). The machine column splits the CPU")
                .append(" time of both cores over each cell (warm-up included, from /proc/stat) into busy, idle,")
                .append(" waiting for I/O and stolen by the hypervisor.\n\n");
        WriterTimeline.Holds h = plain.holds();
        md.append("| cell | ops/s | writer held | free while the next holder waited | free, nobody waiting |")
                .append(" hold p50 / p99 ms | gap between holders p50 / p99 ms | writer wait p50 / p99 ms |")
                .append(" machine busy / idle / iowait / stolen |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        if (h != null) {
            md.append(String.format(Locale.ROOT, "| poolwatch | %.0f | %.0f %% | %.0f %% | %.0f %% | %.3f / %.3f |"
                            + " %.3f / %.3f | %.2f / %.2f | %s |%n%n", plain.result().opsPerSecond(),
                    100 * h.heldShare(), 100 * h.handOverShare(), 100 * h.idleShare(), ms(h.holdP50()),
                    ms(h.holdP99()), ms(h.gapP50()), ms(h.gapP99()), ms(h.waitP50()), ms(h.waitP99()), plain.cpu()));
        }
        WriterTimeline.Batches b = batched.batches();
        md.append("| cell | writes/s | batch writer inside a batch | batches | mean callers per batch |")
                .append(" median | batches of one caller | machine busy / idle / iowait / stolen |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        if (b != null) {
            md.append(String.format(Locale.ROOT, "| poolwatch-batched | %.0f | %.0f %% | %d | %.1f | %d | %.0f %% |"
                            + " %s |%n%n", batched.result().writesPerSecond(), 100 * b.busyShare(), b.count(),
                    b.meanSize(), b.medianSize(), 100 * b.shareOfOne(), batched.cpu()));
        }
        md.append("A writer that stands free while its next holder already waits is a hand-over to a parked thread:")
                .append(" the writer is idle until the scheduler runs that thread. A batch writer that is outside a")
                .append(" batch for much of the cell is waiting for callers, whose own work (reads, and the wake-up")
                .append(" after each COMMIT) paces it.\n\n");
        return md.toString();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
