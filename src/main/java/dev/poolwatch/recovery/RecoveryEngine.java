package dev.poolwatch.recovery;

import dev.poolwatch.config.ConfigHistory;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what to do with each recovery request, runs accepted actions on a small bounded executor, and audits
 * every decision as an event and a metric, in causal order ({@code executed} before {@code succeeded}). Decisions
 * are taken one at a time, so deduplication, cooldowns and the budget hold under concurrent deliveries (such as the
 * two Alertmanagers of an HA pair). It also takes the way back: a pool whose readers resize_up raised returns to its
 * configured size through resize_down once no reader pressure was seen for {@code resizeDownAfter}.
 */
public final class RecoveryEngine implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RecoveryEngine.class);
    /** The alertname of the engine's own resize_down requests. */
    static final String RESIZE_BACK = "ReaderPressureGone";
    private static final Duration MAX_RESIZE_CHECK_PERIOD = Duration.ofSeconds(5);
    private static final String UNKNOWN = "_unknown";

    /** The decision for one request, as the webhook answers it. */
    public record Decision(String alertname, String pool, String action, Outcome outcome, String reason) {
    }

    private final Function<String, SqlitePool> pools;
    private final Collection<String> poolNames;
    private final EventStore store;
    private final MeterRegistry registry;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    /** Actions handed to the executor and not yet audited; what {@link #awaitIdle} waits for. */
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ScheduledExecutorService resizeChecks;
    private final Cooldowns cooldowns;
    private final ReaderLimits limits;
    private final DedupeKeys seen;
    private final Deque<Long> recentRuns = new ArrayDeque<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Long> lastSuccessMs = new ConcurrentHashMap<>();
    private final AtomicInteger circuitOpenGauge = new AtomicInteger();
    private volatile RecoverySettings settings;
    private long circuitOpenedMs;

    /**
     * @param pools looks up a pool by name, null when unknown; @param poolNames the pools known now, for gauges
     */
    public RecoveryEngine(RecoverySettings settings, Function<String, SqlitePool> pools, Collection<String> poolNames,
                          EventStore store, MeterRegistry registry) throws SQLException {
        this(settings, pools, poolNames, store, registry, Clock.systemUTC(), true);
    }

    /** With the clock the decisions use; {@code checkResizes} false leaves {@link #checkReaderLimits()} to tests. */
    RecoveryEngine(RecoverySettings settings, Function<String, SqlitePool> pools, Collection<String> poolNames,
                   EventStore store, MeterRegistry registry, Clock clock, boolean checkResizes) throws SQLException {
        this.settings = settings;
        this.pools = pools;
        this.poolNames = List.copyOf(poolNames);
        this.store = store;
        this.registry = registry;
        this.clock = clock;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(2, 2, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(32), r -> {
            Thread t = new Thread(r, "poolwatch-recovery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.seen = new DedupeKeys(store);
        this.cooldowns = new Cooldowns(store);
        this.limits = new ReaderLimits(store, clock.millis());
        Gauge.builder("poolwatch.recovery.circuit.open", circuitOpenGauge, AtomicInteger::get)
                .description("1 while the action budget is exhausted and remediation is suspended").register(registry);
        for (String pool : poolNames) {
            for (RecoveryAction a : RecoveryAction.values()) {
                // Every series exists from the start at 0, so increase() and "> 0" rules see the first decision.
                for (Outcome o : Outcome.values()) {
                    counter(pool, a.tag(), o);
                }
                String key = Cooldowns.key(pool, a.tag());
                Gauge.builder("poolwatch.recovery.cooldown.remaining", cooldowns,
                                c -> c.remainingMs(key, clock.millis()) / 1000.0)
                        .description("Time until the action may run again on the pool").baseUnit("seconds")
                        .tags("pool", pool, "action", a.tag()).register(registry);
                Gauge.builder("poolwatch.recovery.last.success.timestamp", lastSuccessMs,
                                m -> m.getOrDefault(key, 0L) / 1000.0)
                        .description("When the action last succeeded on the pool (Unix time), 0 if never")
                        .baseUnit("seconds").tags("pool", pool, "action", a.tag()).register(registry);
            }
        }
        this.resizeChecks = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-recovery-resize-check");
            t.setDaemon(true);
            return t;
        });
        if (checkResizes) {
            long period = Math.max(50, Math.min(MAX_RESIZE_CHECK_PERIOD.toMillis(),
                    settings.resizeDownAfter().toMillis() / 4));
            resizeChecks.scheduleWithFixedDelay(this::checkReaderLimitsQuietly, period, period, TimeUnit.MILLISECONDS);
        }
    }

    public RecoverySettings settings() {
        return settings;
    }

    public void setDryRun(boolean on) {
        settings = settings.withDryRun(on);
    }

    /** Decides for each alert of a delivery; accepted actions start in the background. */
    public List<Decision> handle(List<AlertRequest> alerts) {
        return alerts.stream().map(a -> decide(a, false)).toList();
    }

    /** A manual trigger: the same checks as an alert, but {@code force} skips the cooldown. */
    public Decision trigger(String pool, String action, boolean force) {
        return decide(new AlertRequest("manual", true, pool, action, null, "", Map.of()), force);
    }

    /**
     * Samples every pool resize_up has enlarged and starts resize_down on those whose readers have been free of
     * pressure for {@code resizeDownAfter}. Runs every few seconds on its own thread.
     */
    void checkReaderLimits() {
        RecoverySettings s = settings;
        for (String name : poolNames) {
            SqlitePool pool = pools.apply(name);
            if (pool != null && limits.dueForResizeDown(pool, clock.millis(), s.resizeDownAfter())) {
                decide(new AlertRequest(RESIZE_BACK, true, name, RecoveryAction.RESIZE_DOWN.tag(), null, "",
                        Map.of()), true);
            }
        }
    }

    private void checkReaderLimitsQuietly() {
        try {
            checkReaderLimits();
        } catch (RuntimeException e) {
            log.warn("checking raised reader limits failed", e);
        }
    }

    private RecoveryAction.ActionContext context() {
        return new RecoveryAction.ActionContext(settings, limits, clock.millis());
    }

    private synchronized Decision decide(AlertRequest r, boolean force) {
        RecoveryAction action = r.action() == null ? null : RecoveryAction.fromTag(r.action());
        SqlitePool pool = r.pool() == null ? null : pools.apply(r.pool());
        String poolTag = pool != null ? pool.name() : UNKNOWN;
        String actionTag = action != null ? action.tag() : UNKNOWN;
        if (!r.firing()) {
            return audit(r, poolTag, actionTag, Outcome.RESOLVED, "the alert resolved; nothing runs", Map.of());
        }
        if (r.action() == null) {
            return audit(r, poolTag, actionTag, Outcome.REJECTED, "the alert has no recovery_action label", Map.of());
        }
        if (action == null) {
            return audit(r, poolTag, actionTag, Outcome.REJECTED, "unknown recovery_action '" + r.action()
                    + "'", Map.of());
        }
        if (pool == null) {
            return audit(r, poolTag, actionTag, Outcome.REJECTED, r.pool() == null ? "the alert has no pool label"
                    : "unknown pool '" + r.pool() + "'", Map.of());
        }
        String key = r.dedupeKey();
        if (seen.contains(key)) {
            return audit(r, poolTag, actionTag, Outcome.DEDUPLICATED, "this alert (fingerprint and start time) was"
                    + " already acted on", Map.of());
        }
        long now = clock.millis();
        RecoverySettings s = settings;
        if (circuitOpenGauge.get() == 1) {
            if (now - circuitOpenedMs >= s.quietPeriod().toMillis()) {
                closeCircuit("the quiet period of " + s.quietPeriod() + " passed");
            } else {
                return audit(r, poolTag, actionTag, Outcome.BUDGET_SUSPENDED, "remediation is suspended: more than "
                        + s.budget() + " actions ran within " + s.budgetWindow(), Map.of());
            }
        }
        // Before any cooldown, budget or dedupe key is spent: an alert for a fault that has gone costs nothing, and
        // its next delivery is judged afresh.
        String absent = action.nothingToDo(pool, context());
        if (absent != null) {
            return audit(r, poolTag, actionTag, Outcome.NOTHING_TO_DO, action.tag() + " has nothing to do on '"
                    + pool.name() + "': " + absent, Map.of());
        }
        String cooldownKey = Cooldowns.key(pool.name(), action.tag());
        long remaining = cooldowns.remainingMs(cooldownKey, now);
        if (!force && remaining > 0) {
            return audit(r, poolTag, actionTag, Outcome.COOLED_DOWN, action.tag() + " ran on '" + pool.name()
                    + "' recently; it may run again in " + remaining / 1000 + " s", Map.of());
        }
        while (!recentRuns.isEmpty() && recentRuns.peekFirst() < now - s.budgetWindow().toMillis()) {
            recentRuns.pollFirst();
        }
        if (recentRuns.size() >= s.budget()) {
            openCircuit(now, s);
            return audit(r, poolTag, actionTag, Outcome.BUDGET_SUSPENDED, "the budget of " + s.budget()
                    + " actions per " + s.budgetWindow() + " is spent; remediation is suspended", Map.of());
        }
        if (!s.dryRun() && executor.getQueue().remainingCapacity() == 0) {
            return audit(r, poolTag, actionTag, Outcome.FAILED, "too many actions are already queued; try later",
                    Map.of());
        }
        seen.add(key, now);
        if (s.dryRun()) {
            return audit(r, poolTag, actionTag, Outcome.DRY_RUN, "dry-run: " + action.tag() + " would run on '"
                    + pool.name() + "'", Map.of());
        }
        recentRuns.addLast(now);
        long cooldownMs = cooldowns.next(cooldownKey, r.fingerprint(), now, s);
        cooldowns.start(cooldownKey, r.fingerprint(), now, cooldownMs);
        // Audited before it is handed over, so "executed" always precedes the run's own outcome.
        Decision executed = audit(r, poolTag, actionTag, Outcome.EXECUTED, action.tag() + " started on '"
                + pool.name() + "'; next cooldown " + cooldownMs / 1000 + " s", Map.of("cooldownMs", cooldownMs));
        inFlight.incrementAndGet();
        try {
            executor.execute(() -> {
                try {
                    run(r, pool, action);
                } finally {
                    inFlight.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet();
            return audit(r, poolTag, actionTag, Outcome.FAILED, "the action could not be started: " + e.getMessage(),
                    Map.of());
        }
        return executed;
    }

    private void run(AlertRequest r, SqlitePool pool, RecoveryAction action) {
        long start = System.nanoTime();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("before", summary(pool.stats()));
        try {
            // The fault may have gone while the action waited in the queue.
            String absent = action.nothingToDo(pool, context());
            RecoveryAction.ActionResult result = absent != null ? RecoveryAction.ActionResult.nothing(absent, Map.of())
                    : ConfigHistory.actingAs("recovery:" + action.tag(), () -> action.run(pool, context()));
            details.put("result", result.details());
            details.put("after", summary(pool.stats()));
            if (result.nothingToDo() != null) {
                audit(r, pool.name(), action.tag(), Outcome.NOTHING_TO_DO, action.tag() + " had nothing to do on '"
                        + pool.name() + "': " + result.nothingToDo(), details);
                return;
            }
            lastSuccessMs.put(Cooldowns.key(pool.name(), action.tag()), clock.millis());
            audit(r, pool.name(), action.tag(), Outcome.SUCCEEDED, action.tag() + " succeeded on '" + pool.name()
                    + "'", details);
        } catch (Exception e) {
            details.put("after", summary(pool.stats()));
            details.put("error", String.valueOf(e.getMessage()));
            audit(r, pool.name(), action.tag(), Outcome.FAILED, action.tag() + " failed on '" + pool.name() + "': "
                    + e.getMessage(), details);
        } finally {
            Timer.builder("poolwatch.recovery.action.duration").description("How long an executed recovery action"
                            + " took").tags("pool", pool.name(), "action", action.tag())
                    .serviceLevelObjectives(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(1),
                            Duration.ofSeconds(5), Duration.ofSeconds(30))
                    .register(registry).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static Map<String, Object> summary(PoolStats s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state().tag());
        m.put("writerActive", s.writer().active());
        m.put("writerPending", s.writer().pending());
        m.put("readersActive", s.reader().active());
        m.put("readersTotal", s.reader().total());
        m.put("readersMax", s.reader().max());
        m.put("readerPending", s.reader().pending());
        m.put("walBytes", s.walSizeBytes());
        return m;
    }

    private Decision audit(AlertRequest r, String pool, String action, Outcome outcome, String reason,
                           Map<String, Object> extra) {
        counter(pool, action, outcome).increment();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action", action);
        details.put("outcome", outcome.tag());
        details.put("alertname", r.alertname());
        if (r.fingerprint() != null) {
            details.put("fingerprint", r.fingerprint());
            details.put("startsAt", r.startsAt());
        }
        details.putAll(extra);
        Severity severity = outcome == Outcome.FAILED || outcome == Outcome.BUDGET_SUSPENDED ? Severity.WARNING
                : Severity.INFO;
        store.record(new Event(0, clock.instant(), pool, "recovery", severity, reason, details));
        if (outcome != Outcome.DEDUPLICATED && outcome != Outcome.RESOLVED) {
            log.info("recovery {} for alert {} on pool {}: {} ({})", action, printable(r.alertname()), pool,
                    outcome.tag(), printable(reason));
        }
        return new Decision(r.alertname(), pool, action, outcome, reason);
    }

    /** Label values come from the sender: cut short and with control characters escaped, so no one forges log lines. */
    public static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 200; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return s.length() > 200 ? out + "…" : out.toString();
    }

    private Counter counter(String pool, String action, Outcome outcome) {
        return counters.computeIfAbsent(pool + "/" + action + "/" + outcome.tag(), k -> Counter
                .builder("poolwatch.recovery.actions").description("Decisions of the recovery endpoint, by outcome")
                .tags("pool", pool, "action", action, "outcome", outcome.tag()).register(registry));
    }

    private void openCircuit(long now, RecoverySettings s) {
        if (circuitOpenGauge.compareAndSet(0, 1)) {
            circuitOpenedMs = now;
            log.warn("recovery budget spent: {} actions within {}; remediation suspended for at least {}",
                    s.budget(), s.budgetWindow(), s.quietPeriod());
            store.record(Event.of("_recovery", "circuit", Severity.WARNING, "remediation suspended: the budget of "
                    + s.budget() + " actions per " + s.budgetWindow() + " is spent", Map.of("open", true)));
        }
    }

    /** Closes the circuit breaker (after the quiet period, or by an authenticated call). */
    public synchronized boolean closeCircuit(String why) {
        if (circuitOpenGauge.compareAndSet(1, 0)) {
            recentRuns.clear();
            log.info("recovery resumed: {}", why);
            store.record(Event.of("_recovery", "circuit", Severity.INFO, "remediation resumed: " + why,
                    Map.of("open", false)));
            return true;
        }
        return false;
    }

    /** What the API shows: mode, circuit, budget use and cooldowns still running. */
    public synchronized Map<String, Object> state() {
        long now = clock.millis();
        Map<String, Object> out = new LinkedHashMap<>();
        RecoverySettings s = settings;
        out.put("dryRun", s.dryRun());
        out.put("circuitOpen", circuitOpenGauge.get() == 1);
        out.put("budget", Map.of("max", s.budget(), "windowSeconds", s.budgetWindow().toSeconds(),
                "used", recentRuns.stream().filter(t -> t >= now - s.budgetWindow().toMillis()).count()));
        out.put("cooldowns", cooldowns.running(now));
        out.put("actions", java.util.Arrays.stream(RecoveryAction.values()).map(RecoveryAction::tag).toList());
        return out;
    }

    /** Waits for running actions (bounded), then stops the executor. */
    @Override
    public void close() {
        resizeChecks.shutdownNow();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
    }

    /**
     * For tests: waits until every action handed over has run and been audited. The executor's own active count and
     * queue both read zero while a worker has taken a task but not started it, and while a new worker thread starts
     * with its first task; a test that triggered the next action then saw its "executed" before the previous
     * run's "succeeded" (1 run of RecoveryEngineTest in CI).
     */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
