package dev.poolwatch.load;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.Role;
import dev.poolwatch.pool.SqlitePool;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Runs a scenario of bot operations against a pool as fast as the workers can go, measuring operation and acquire
 * latency, counting errors by kind, and checking at the end that exactly the acknowledged writes are in the database.
 */
public final class LoadRunner {

    /** A live view of a running scenario, for progress display. */
    public record Progress(Scenario scenario, double elapsedSeconds, long operations, long errors, double opsPerSecond,
                           long p99Nanos) {
    }

    private static final int BURST_OPS = 20;
    private static final long BURST_PAUSE_MILLIS = 250;

    private final SqlitePool pool;
    private final BotWorkload workload;
    private final WriteMode mode;

    public LoadRunner(SqlitePool pool) throws SQLException {
        this(pool, WriteMode.PLAIN);
    }

    public LoadRunner(SqlitePool pool, WriteMode mode) throws SQLException {
        this.pool = pool;
        this.mode = mode;
        this.workload = new BotWorkload(pool, 1000);
        workload.prepare();
    }

    public ScenarioResult run(Scenario s, Consumer<Progress> progress) throws SQLException, InterruptedException {
        LatencyHistogram operation = new LatencyHistogram();
        LatencyHistogram acquire = new LatencyHistogram();
        Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind k : ErrorKind.values()) {
            errors.put(k, new LongAdder());
        }
        LongAdder timeouts = new LongAdder();
        LongAdder batches = new LongAdder();
        boolean batched = mode == WriteMode.BATCHED;
        PoolListener listener = new PoolListener() {
            @Override
            public void acquired(Role role, long waitNanos) {
                // Batched writes do not borrow: their wait is the queue's, below; this is the batch writer's.
                if (!batched || role == Role.READER) {
                    acquire.recordNanos(waitNanos);
                }
            }

            @Override
            public void batchQueueWaited(long waitNanos) {
                acquire.recordNanos(waitNanos);
            }

            @Override
            public void batchCommitted(int size, long commitNanos) {
                batches.increment();
            }
        };
        LongAdder reads = new LongAdder();
        LongAdder writes = new LongAdder();
        long firstOpId = workload.maxOpId() + 1;
        OpIdSet acknowledged = new OpIdSet(firstOpId);
        AtomicLong nextOpId = new AtomicLong(firstOpId - 1);
        long deadline = System.nanoTime() + s.duration().toNanos();
        CyclicBarrier barrier = s.burst() ? new CyclicBarrier(s.workers()) : null;
        pool.addListener(listener);
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int w = 0; w < s.workers(); w++) {
                Thread t = new Thread(() -> work(s, deadline, barrier, operation, errors, timeouts, reads, writes,
                        acknowledged, nextOpId), "poolwatch-load-" + s.name() + "-" + w);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
            Thread alive;
            while ((alive = threads.stream().filter(Thread::isAlive).findFirst().orElse(null)) != null) {
                alive.join(1000);
                double elapsed = (System.nanoTime() - start) / 1e9;
                long ops = reads.sum() + writes.sum();
                progress.accept(new Progress(s, elapsed, ops, errorTotal(errors, timeouts),
                        elapsed > 0 ? ops / elapsed : 0, operation.quantileNanos(0.99)));
            }
        } finally {
            pool.removeListener(listener);
            for (Thread t : threads) {
                t.interrupt();
                t.join(10_000);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long lastOpId = nextOpId.get();
        OpIdSet present = writtenOpIds(firstOpId, lastOpId);
        long missing = 0;
        long unexpected = 0;
        for (long id = firstOpId; id <= lastOpId; id++) {
            boolean acked = acknowledged.contains(id);
            boolean there = present.contains(id);
            if (acked && !there) {
                missing++;
            } else if (there && !acked) {
                unexpected++;
            }
        }
        Map<ErrorKind, Long> byKind = new EnumMap<>(ErrorKind.class);
        errors.forEach((k, v) -> byKind.put(k, v.sum()));
        Map<String, Long> kinds = new java.util.TreeMap<>(ScenarioResult.kinds(byKind));
        if (timeouts.sum() > 0) {
            kinds.put("timeout", timeouts.sum());
        }
        return new ScenarioResult(s, mode, batches.sum(), seconds, reads.sum(), writes.sum(), errorTotal(errors, timeouts), kinds,
                ScenarioResult.Latency.of(acquire), ScenarioResult.Latency.of(operation),
                missing == 0 && unexpected == 0, acknowledged.size(), missing, unexpected);
    }

    private static long errorTotal(Map<ErrorKind, LongAdder> errors, LongAdder timeouts) {
        return errors.values().stream().mapToLong(LongAdder::sum).sum() + timeouts.sum();
    }

    private void work(Scenario s, long deadline, CyclicBarrier barrier, LatencyHistogram operation,
                      Map<ErrorKind, LongAdder> errors, LongAdder timeouts, LongAdder reads, LongAdder writes,
                      OpIdSet acknowledged, AtomicLong nextOpId) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        BurstCount burst = new BurstCount(BURST_OPS);
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            if (barrier != null && burst.beginsBurst()) {
                try {
                    Thread.sleep(BURST_PAUSE_MILLIS);
                    barrier.await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                            TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    return;
                }
            }
            long t0 = System.nanoTime();
            boolean read = rnd.nextInt(100) < s.readPercent();
            try {
                if (read) {
                    if (rnd.nextInt(3) == 0) {
                        workload.rangeRead();
                    } else {
                        workload.pointRead();
                    }
                    reads.increment();
                } else {
                    long id = nextOpId.incrementAndGet();
                    workload.write(id, mode);
                    acknowledged.add(id);
                    writes.increment();
                }
                operation.recordNanos(System.nanoTime() - t0);
            } catch (dev.poolwatch.pool.PoolTimeoutException e) {
                timeouts.increment();
            } catch (SQLException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                errors.get(ErrorKind.classify(e)).increment();
            }
        }
    }

    private OpIdSet writtenOpIds(long from, long to) throws SQLException {
        return pool.read(c -> {
            OpIdSet ids = new OpIdSet(from);
            try (PreparedStatement ps = c.prepareStatement("SELECT op_id FROM bot_message WHERE op_id BETWEEN ? AND ?")) {
                ps.setLong(1, from);
                ps.setLong(2, to);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            return ids;
        });
    }
}
