package dev.poolwatch.config;

import dev.poolwatch.pool.SqlitePool;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Samples each pool's {@link Health} every {@link TrialSettings#checkEvery()} and keeps the last
 * {@link TrialSettings#MAX_BASELINE}, so a trial can start with a baseline of the traffic just before it.
 */
final class Baselines {

    private final Map<String, Deque<Health>> samples = new ConcurrentHashMap<>();

    void sample(SqlitePool pool, long nowMs) {
        Deque<Health> d = samples.computeIfAbsent(pool.name(), k -> new ArrayDeque<>());
        synchronized (d) {
            d.addLast(Health.of(pool.stats(), nowMs));
            while (d.peekFirst().timeMs() < nowMs - TrialSettings.MAX_BASELINE.toMillis()) {
                d.pollFirst();
            }
        }
    }

    /**
     * The pool's health over the {@code lookback} before {@code now} (capped at {@link TrialSettings#MAX_BASELINE}):
     * {@code now} minus the oldest sample inside the window; with no sample yet, everything since the pool opened.
     */
    Health baseline(Health now, Duration lookback, String pool) {
        long from = now.timeMs() - Math.min(lookback.toMillis(), TrialSettings.MAX_BASELINE.toMillis());
        Deque<Health> d = samples.get(pool);
        if (d != null) {
            synchronized (d) {
                for (Health h : d) {
                    if (h.timeMs() >= from && h.timeMs() < now.timeMs()) {
                        return now.since(h);
                    }
                }
            }
        }
        return new Health(0, now.attempts(), now.timeouts(), now.errors());
    }
}
