package dev.poolwatch.config;

import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.ProblemException;
import dev.poolwatch.store.ConfigVersions;
import dev.poolwatch.store.ConfigVersions.Version;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change of a pool's live settings as a numbered version (who, when, what), rollback to any version, and
 * trials that roll back by themselves when the pool's timeouts or errors rise (see {@link TrialVerdict}). Changes of
 * one pool are serialized: the live configuration, the saved one and the history always agree.
 *
 * <p>Who made a change: {@code token} (the API), {@code startup} (the configuration the exporter started with),
 * {@code trial:N} (trial N rolled back by itself), {@code recovery:<action>} (a recovery action, see
 * {@link #actingAs}), or {@code outside-api} (the pool was reconfigured by code that bypassed this class).
 */
public final class ConfigHistory implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigHistory.class);
    private static final ThreadLocal<String> ACTOR = new ThreadLocal<>();
    private static final ThreadLocal<Boolean> APPLYING = new ThreadLocal<>();

    /** A trial that runs: the version it made, until when, the health it started from and what it would restore. */
    private record Trial(long version, Instant until, Health start, Health baseline, Map<String, Long> restore) {
    }

    private final Map<String, SqlitePool> pools = new LinkedHashMap<>();
    private final ConfigVersions versions;
    private final EventStore events;
    private final LiveSettings settings;
    private final TrialSettings trials;
    private final Baselines baselines = new Baselines();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Trial> running = new ConcurrentHashMap<>();
    private final Map<String, PoolListener> listeners = new LinkedHashMap<>();
    private final ScheduledExecutorService ticker;

    public ConfigHistory(Collection<SqlitePool> pools, EventStore events, LiveSettings settings, TrialSettings trials) {
        pools.forEach(p -> this.pools.put(p.name(), p));
        this.versions = new ConfigVersions(events);
        this.events = events;
        this.settings = settings;
        this.trials = trials;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-config-trials");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} so that a configuration change it makes is recorded as made by {@code actor}. */
    public static <T> T actingAs(String actor, Callable<T> work) throws Exception {
        String previous = ACTOR.get();
        ACTOR.set(actor);
        try {
            return work.call();
        } finally {
            ACTOR.set(previous);
        }
    }

    public TrialSettings trials() {
        return trials;
    }

    /**
     * Records each pool's configuration at start-up as a version when it differs from the last one, rolls back a
     * trial the previous run did not finish, and starts judging trials and noticing changes made elsewhere.
     */
    public void start() throws SQLException {
        for (SqlitePool pool : pools.values()) {
            Optional<Version> last = versions.latest(pool.name());
            if (last.isPresent() && last.get().trialUntil() != null && last.get().trialOutcome() == null) {
                Version v = last.get();
                versions.endTrial(pool.name(), v.version(), "rolled-back");
                Version back = change(pool, "startup", "trial-rollback", restoreOf(v).keySet(),
                        c -> settings.with(c, restoreOf(v)), null, v.version() - 1);
                events.record(Event.of(pool.name(), "config", Severity.WARNING, "trial of version " + v.version()
                        + " rolled back at start-up (now version " + back.version() + "): the exporter stopped"
                        + " before the trial ended, so it was never proven", Map.of("version", back.version(),
                        "trialVersion", v.version())));
            }
            recordIfDrifted(pool, "startup");
            PoolListener l = new PoolListener() {
                @Override
                public void resized(int oldMaxReaders, int newMaxReaders) {
                    if (APPLYING.get() == null) {
                        String actor = ACTOR.get() != null ? ACTOR.get() : "outside-api";
                        ticker.execute(() -> recordQuietly(pool, actor));
                    }
                }
            };
            pool.addListener(l);
            listeners.put(pool.name(), l);
        }
        long every = trials.checkEvery().toMillis();
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    /** Parses {@code trial=} ({@code 10m}, {@code 90s}, {@code 1h}, {@code 500ms}); null when absent; else a 400. */
    public Duration parseTrial(String value) {
        if (value == null) {
            return null;
        }
        Duration d = Durations.parse(value);
        if (d == null || d.compareTo(trials.minimum()) < 0 || d.compareTo(trials.maximum()) > 0) {
            throw ProblemException.invalidField("trial", "trial must be a duration between "
                    + Durations.format(trials.minimum()) + " and " + Durations.format(trials.maximum())
                    + " written like 10m, 90s or 1h, was '" + value + "'");
        }
        return d;
    }

    /**
     * Applies {@code edit} to the pool's configuration as version N+1 made by {@code actor}, saving the fields named
     * in {@code persist}; with a {@code trial}, judges it until the trial ends. A 400 problem from {@code edit}, or a
     * store failure, leaves everything as it was.
     */
    public Version change(SqlitePool pool, String actor, String action, Set<String> persist,
                          UnaryOperator<SqlitePoolConfig> edit, Duration trial, Long rollbackTo) throws SQLException {
        ReentrantLock lock = lock(pool);
        lock.lock();
        try {
            recordIfDrifted(pool, "outside-api");
            SqlitePoolConfig before = pool.config();
            SqlitePoolConfig next = edit.apply(before);
            Map<String, Long> was = settings.of(before);
            Map<String, Long> now = settings.of(next);
            Map<String, Object> changes = diff(was, now);
            if (trial != null && changes.isEmpty()) {
                throw ProblemException.badRequest("the change sets every field to its current value; a trial needs"
                        + " a change to judge");
            }
            Map<String, String> saved = new LinkedHashMap<>();
            persist.forEach(k -> saved.put(k, Long.toString(now.get(k))));
            Optional<Version> last = versions.latest(pool.name());
            if (changes.isEmpty() && last.isPresent()) {
                // Nothing changes, so no new version; the named fields are still pinned as a PUT always did.
                events.saveConfig(pool.name(), saved);
                return last.get();
            }
            Instant until = trial == null ? null : Instant.now().plus(trial);
            Version v = versions.append(pool.name(), saved, new ConfigVersions.Draft(actor, action,
                    new LinkedHashMap<>(now), changes, rollbackTo, until));
            apply(pool, next);
            Trial superseded = running.remove(pool.name());
            if (superseded != null) {
                versions.endTrial(pool.name(), superseded.version(), "superseded");
                events.record(Event.of(pool.name(), "config", Severity.INFO, "trial of version "
                        + superseded.version() + " ended without a verdict: version " + v.version()
                        + " changed the configuration again", Map.of("version", v.version(), "trialVersion",
                        superseded.version(), "outcome", "superseded")));
            }
            if (trial != null) {
                Health start = Health.of(pool.stats(), System.currentTimeMillis());
                Map<String, Long> restore = new LinkedHashMap<>();
                changes.keySet().forEach(k -> restore.put(k, was.get(k)));
                running.put(pool.name(), new Trial(v.version(), until, start,
                        baselines.baseline(start, trial, pool.name()), restore));
            }
            log.info("pool '{}' configuration version {} by {} ({}): {}", pool.name(), v.version(), actor, action,
                    changes);
            return v;
        } finally {
            lock.unlock();
        }
    }

    /** Restores the settings of {@code version}: a 404 problem when there is no such version, else a new version. */
    public Version rollback(SqlitePool pool, long version, String actor) throws SQLException {
        ReentrantLock lock = lock(pool);
        lock.lock();
        try {
            Version target = versions.get(pool.name(), version).orElseThrow(() -> ProblemException.notFound(
                    "pool '" + pool.name() + "' has no configuration version " + version + "; GET /api/pools/"
                            + pool.name() + "/config/history lists them"));
            Map<String, Long> live = settings.of(pool.config());
            Map<String, Long> restore = new LinkedHashMap<>();
            target.settings().forEach((k, v) -> {
                if (live.containsKey(k) && v instanceof Number && ((Number) v).longValue() != live.get(k)) {
                    restore.put(k, ((Number) v).longValue());
                }
            });
            return change(pool, actor, "rollback", restore.keySet(), c -> settings.with(c, restore), null, version);
        } finally {
            lock.unlock();
        }
    }

    /** A page of the pool's versions, newest first, older than {@code before} (all if null). */
    public List<Version> history(SqlitePool pool, Long before, int limit) throws SQLException {
        return versions.page(pool.name(), before, limit);
    }

    /** The version of a trial that is running on the pool, if one is. */
    public Optional<Long> runningTrial(String pool) {
        return Optional.ofNullable(running.get(pool)).map(Trial::version);
    }

    private void tick() {
        long now = System.currentTimeMillis();
        for (SqlitePool pool : pools.values()) {
            try {
                baselines.sample(pool, now);
                Trial t = running.get(pool.name());
                if (t != null) {
                    judge(pool, t);
                }
            } catch (SQLException | RuntimeException e) {
                log.warn("pool '{}' trial check failed: {}", pool.name(), e.toString());
            }
        }
    }

    private void judge(SqlitePool pool, Trial t) throws SQLException {
        ReentrantLock lock = lock(pool);
        lock.lock();
        try {
            if (running.get(pool.name()) != t) {
                return;
            }
            Health now = Health.of(pool.stats(), System.currentTimeMillis());
            TrialVerdict verdict = TrialVerdict.judge(t.baseline(), now.since(t.start()));
            Map<String, Object> details = new LinkedHashMap<>(verdict.figures());
            details.put("trialVersion", t.version());
            if (verdict.rose()) {
                running.remove(pool.name());
                versions.endTrial(pool.name(), t.version(), "rolled-back");
                Version back = change(pool, "trial:" + t.version(), "trial-rollback", t.restore().keySet(),
                        c -> settings.with(c, t.restore()), null, t.version() - 1);
                details.put("version", back.version());
                details.put("outcome", "rolled-back");
                details.put("restored", t.restore());
                log.warn("pool '{}' trial of version {} rolled back: {}", pool.name(), t.version(), verdict.reason());
                events.record(Event.of(pool.name(), "config", Severity.WARNING, "trial of version " + t.version()
                        + " rolled back by itself (now version " + back.version() + "): " + verdict.reason(), details));
            } else if (!Instant.now().isBefore(t.until())) {
                running.remove(pool.name());
                versions.endTrial(pool.name(), t.version(), "kept");
                details.put("outcome", "kept");
                log.info("pool '{}' trial of version {} kept: {}", pool.name(), t.version(), verdict.reason());
                events.record(Event.of(pool.name(), "config", Severity.INFO, "trial of version " + t.version()
                        + " kept: " + verdict.reason(), details));
            }
        } finally {
            lock.unlock();
        }
    }

    private void recordQuietly(SqlitePool pool, String actor) {
        ReentrantLock lock = lock(pool);
        lock.lock();
        try {
            recordIfDrifted(pool, actor);
        } catch (SQLException | RuntimeException e) {
            log.warn("pool '{}' configuration change by {} could not be recorded: {}", pool.name(), actor,
                    e.toString());
        } finally {
            lock.unlock();
        }
    }

    /** Appends the live configuration as a version when it differs from the last one recorded (or none is). */
    private void recordIfDrifted(SqlitePool pool, String actor) throws SQLException {
        Optional<Version> last = versions.latest(pool.name());
        Map<String, Long> live = settings.of(pool.config());
        Map<String, Long> recorded = new LinkedHashMap<>();
        last.ifPresent(v -> v.settings().forEach((k, x) -> {
            if (x instanceof Number) {
                recorded.put(k, ((Number) x).longValue());
            }
        }));
        if (last.isPresent() && recorded.equals(live)) {
            return;
        }
        Map<String, Object> changes = last.isPresent() ? diff(recorded, live) : Map.of();
        String action = "startup".equals(actor) ? "startup" : "external";
        Version v = versions.append(pool.name(), Map.of(), new ConfigVersions.Draft(actor, action,
                new LinkedHashMap<>(live), changes, null, null));
        events.record(Event.of(pool.name(), "config", Severity.INFO, ("startup".equals(actor)
                ? "configuration at start-up recorded as version " : "configuration changed by " + actor
                + ", recorded as version ") + v.version(), Map.of("version", v.version(), "actor", actor,
                "changes", changes)));
    }

    private void apply(SqlitePool pool, SqlitePoolConfig next) {
        APPLYING.set(Boolean.TRUE);
        try {
            pool.reconfigure(next);
        } finally {
            APPLYING.remove();
        }
    }

    private static Map<String, Long> restoreOf(Version v) {
        Map<String, Long> out = new LinkedHashMap<>();
        v.changes().forEach((k, change) -> {
            if (change instanceof Map && ((Map<?, ?>) change).get("from") instanceof Number) {
                out.put(k, ((Number) ((Map<?, ?>) change).get("from")).longValue());
            }
        });
        return out;
    }

    private static Map<String, Object> diff(Map<String, Long> was, Map<String, Long> now) {
        Map<String, Object> changes = new LinkedHashMap<>();
        now.forEach((k, v) -> {
            if (!v.equals(was.get(k))) {
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("from", was.get(k));
                c.put("to", v);
                changes.put(k, c);
            }
        });
        return changes;
    }

    private ReentrantLock lock(SqlitePool pool) {
        return locks.computeIfAbsent(pool.name(), k -> new ReentrantLock());
    }

    /** Stops judging trials; a trial still running is rolled back at the next start (see {@link #start()}). */
    @Override
    public void close() {
        listeners.forEach((name, l) -> pools.get(name).removeListener(l));
        ticker.shutdownNow();
    }
}
