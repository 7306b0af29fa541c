package dev.poolwatch.recovery;

import dev.poolwatch.store.EventStore;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each action last ran on each pool, the cooldown that started then and the alert that asked for it, kept in the
 * event store so a restart of poolwatch keeps them. The cooldown doubles (up to the cap) when the same alert asks
 * again, and starts from the base again once the incident is over: when the action has not run for
 * {@link #BACKOFF_RESET_COOLDOWNS} of its cooldowns, the next request is treated as a new incident.
 */
final class Cooldowns {

    static final String SCOPE = "recovery.cooldown";
    /**
     * Quiet cooldowns after which the backoff resets. Three: a fault that comes back within a few cooldowns is the
     * same incident (the action did not help), one that comes back after a long quiet spell is a new one.
     */
    static final int BACKOFF_RESET_COOLDOWNS = 3;
    private static final Logger log = LoggerFactory.getLogger(Cooldowns.class);
    private static final String MANUAL = "manual";

    /** One running or expired cooldown; {@code alertIdentity} is the alert's fingerprint, or "manual". */
    record Cooldown(long lastRunMs, long cooldownMs, String alertIdentity) {
        String encode() {
            return lastRunMs + "," + cooldownMs + "," + alertIdentity;
        }

        static Cooldown decode(String s) {
            String[] p = s.split(",", 3);
            return new Cooldown(Long.parseLong(p[0]), Long.parseLong(p[1]), p.length > 2 ? p[2] : "");
        }

        long remainingMs(long now) {
            return Math.max(0, lastRunMs + cooldownMs - now);
        }
    }

    private final EventStore store;
    private final Map<String, Cooldown> byKey = new ConcurrentHashMap<>();

    Cooldowns(EventStore store) throws SQLException {
        this.store = store;
        store.state(SCOPE).forEach((k, v) -> {
            try {
                byKey.put(k, Cooldown.decode(v));
            } catch (RuntimeException e) {
                log.warn("ignoring unreadable saved cooldown {}={}", k, v);
            }
        });
    }

    static String key(String pool, String action) {
        return pool + "/" + action;
    }

    long remainingMs(String key, long now) {
        Cooldown c = byKey.get(key);
        return c == null ? 0 : c.remainingMs(now);
    }

    Cooldown get(String key) {
        return byKey.get(key);
    }

    /**
     * The cooldown a run starting now gets: double the previous one when the same alert asked for the previous run
     * and the incident is not over yet, else the base cooldown. Manual runs never back off.
     */
    long next(String key, String fingerprint, long now, RecoverySettings s) {
        Cooldown previous = byKey.get(key);
        String identity = fingerprint == null ? MANUAL : fingerprint;
        if (previous == null || MANUAL.equals(identity) || !previous.alertIdentity().equals(identity)) {
            return s.cooldown().toMillis();
        }
        long unit = Math.max(previous.cooldownMs(), s.cooldown().toMillis());
        if (now - previous.lastRunMs() >= BACKOFF_RESET_COOLDOWNS * unit) {
            return s.cooldown().toMillis();
        }
        return Math.min(s.cooldownCap().toMillis(), Math.max(1, previous.cooldownMs()) * 2);
    }

    /** Starts a cooldown of {@code cooldownMs} now and saves it. */
    void start(String key, String fingerprint, long now, long cooldownMs) {
        Cooldown next = new Cooldown(now, cooldownMs, fingerprint == null ? MANUAL : fingerprint);
        byKey.put(key, next);
        try {
            store.putState(SCOPE, key, next.encode());
        } catch (SQLException e) {
            log.warn("could not persist the cooldown of {}: {}", key, e.getMessage());
        }
    }

    /** The cooldowns still running, for the API. */
    Map<String, Object> running(long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        byKey.forEach((k, c) -> {
            if (c.remainingMs(now) > 0) {
                out.put(k, Map.of("remainingSeconds", c.remainingMs(now) / 1000, "cooldownSeconds",
                        c.cooldownMs() / 1000));
            }
        });
        return out;
    }
}
