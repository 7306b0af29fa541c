package dev.poolwatch.integrity;

import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code PRAGMA quick_check} on every monitored pool, one pool at a time on one thread, every
 * {@link IntegritySchedule#period()}, each check bounded by {@link IntegritySchedule#budget()}. Each result is a
 * {@code sqlite.pool.integrity.checks} count (result ok, failed, incomplete or error), the time it took and when it
 * ran, and an {@code integrity} event; a failed check raises SqlitePoolCorruption. {@code GET /api/integrity} shows
 * the last result of each pool.
 */
public final class ScheduledIntegrityChecks implements PoolWatch.Extension {

    private static final Logger log = LoggerFactory.getLogger(ScheduledIntegrityChecks.class);

    /** The last check of one pool, as the API shows it. */
    private record Last(Instant time, IntegrityCheck.Outcome outcome) {
    }

    private final IntegritySchedule schedule;
    private final Map<String, Last> last = new ConcurrentHashMap<>();
    private final Map<String, Map<IntegrityCheck.Result, Counter>> counters = new ConcurrentHashMap<>();
    private final Map<String, double[]> lastRun = new ConcurrentHashMap<>();
    private final List<Meter> meters = new ArrayList<>();
    private ScheduledExecutorService executor;
    private MeterRegistry registry;

    public ScheduledIntegrityChecks(IntegritySchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    public IntegritySchedule schedule() {
        return schedule;
    }

    @Override
    public void addRoutes(JavalinConfig config, PoolWatch.Context context) {
        registry = context.registry();
        for (SqlitePool pool : context.pools()) {
            bind(pool.name());
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-integrity");
            t.setDaemon(true);
            return t;
        });
        Collection<SqlitePool> pools = context.pools();
        EventStore events = context.events();
        long periodMs = schedule.period().toMillis();
        // The first round waits one period (at most a minute), so a restart loop does not become a check loop.
        executor.scheduleWithFixedDelay(() -> checkAll(pools, events), Math.min(periodMs, 60_000), periodMs,
                TimeUnit.MILLISECONDS);
        config.routes.get("/api/integrity", ctx -> ctx.json(view()));
        log.info("integrity checks every {} with a budget of {} per check (at most {}% of one reader's time)",
                schedule.period(), schedule.budget(), String.format("%.2f", 100 * schedule.worstReaderShare()));
    }

    private void bind(String pool) {
        Map<IntegrityCheck.Result, Counter> byResult = new EnumMap<>(IntegrityCheck.Result.class);
        for (IntegrityCheck.Result r : IntegrityCheck.Result.values()) {
            Counter c = Counter.builder("sqlite.pool.integrity.checks")
                    .description("Scheduled PRAGMA quick_check runs by result (incomplete: stopped at the budget)")
                    .tags("pool", pool, "result", r.tag()).register(registry);
            byResult.put(r, c);
            meters.add(c);
        }
        counters.put(pool, byResult);
        double[] run = new double[2];
        lastRun.put(pool, run);
        meters.add(Gauge.builder("sqlite.pool.integrity.last.duration", run, a -> a[0])
                .description("How long the last scheduled quick_check took").baseUnit("seconds").tags("pool", pool)
                .register(registry));
        meters.add(Gauge.builder("sqlite.pool.integrity.last.run.timestamp", run, a -> a[1])
                .description("When the last scheduled quick_check ended (Unix time), 0 before the first")
                .baseUnit("seconds").tags("pool", pool).register(registry));
    }

    private void checkAll(Collection<SqlitePool> pools, EventStore events) {
        for (SqlitePool pool : pools) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            if (pool.state() == PoolState.OPEN) {
                try {
                    record(pool.name(), IntegrityCheck.run(pool, schedule.budget()), events);
                } catch (RuntimeException e) {
                    log.warn("integrity check of pool '{}' could not run: {}", pool.name(), e.toString());
                }
            }
        }
    }

    private void record(String pool, IntegrityCheck.Outcome o, EventStore events) {
        counters.get(pool).get(o.result()).increment();
        double[] run = lastRun.get(pool);
        run[0] = o.durationNanos() / 1e9;
        run[1] = System.currentTimeMillis() / 1000.0;
        last.put(pool, new Last(Instant.now(), o));
        long ms = TimeUnit.NANOSECONDS.toMillis(o.durationNanos());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("result", o.result().tag());
        details.put("durationMs", ms);
        details.put("budgetMs", schedule.budget().toMillis());
        if (!o.problems().isEmpty()) {
            details.put("problems", o.problems());
        }
        if (o.error() != null) {
            details.put("error", o.error());
        }
        switch (o.result()) {
            case OK -> events.record(Event.of(pool, "integrity", Severity.INFO, "quick_check ok in " + ms + " ms",
                    details));
            case FAILED -> {
                log.error("pool '{}' scheduled quick_check found problems: {}", pool, o.problems());
                events.record(Event.of(pool, "integrity", Severity.CRITICAL, "quick_check found " + o.problems().size()
                        + " problem(s): the database file is damaged; see the SqlitePoolCorruption runbook", details));
            }
            case INCOMPLETE -> {
                log.warn("pool '{}' quick_check stopped at its budget of {}", pool, schedule.budget());
                events.record(Event.of(pool, "integrity", Severity.WARNING, "quick_check stopped at its budget of "
                        + schedule.budget().toMillis() + " ms before it finished; nothing was checked to the end."
                        + " Raise the budget (and the period with it)", details));
            }
            default -> {
                log.warn("pool '{}' quick_check could not run: {}", pool, o.error());
                events.record(Event.of(pool, "integrity", Severity.WARNING, "quick_check could not run: " + o.error(),
                        details));
            }
        }
    }

    private Map<String, Object> view() {
        Map<String, Object> pools = new LinkedHashMap<>();
        counters.keySet().stream().sorted().forEach(name -> {
            Last l = last.get(name);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("lastCheck", l == null ? null : l.time().toString());
            p.put("result", l == null ? null : l.outcome().result().tag());
            p.put("durationMs", l == null ? null : TimeUnit.NANOSECONDS.toMillis(l.outcome().durationNanos()));
            p.put("problems", l == null ? List.of() : l.outcome().problems());
            pools.put(name, p);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("periodSeconds", schedule.period().toSeconds());
        body.put("budgetMs", schedule.budget().toMillis());
        body.put("pools", pools);
        return body;
    }

    /** Stops the schedule (a running check ends at its budget at the latest) and removes the meters. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(schedule.budget().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (registry != null) {
            meters.forEach(registry::remove);
        }
    }
}
