package dev.poolwatch.recovery;

import dev.poolwatch.store.EventStore;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alerts (fingerprint and start time) already acted on, kept in the event store for a day. */
final class DedupeKeys {

    static final String SCOPE = "recovery.dedupe";
    private static final Duration RETENTION = Duration.ofHours(24);
    private static final Logger log = LoggerFactory.getLogger(DedupeKeys.class);

    private final EventStore store;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    DedupeKeys(EventStore store) throws SQLException {
        this.store = store;
        store.deleteStateOlderThan(SCOPE, Instant.now().minus(RETENTION));
        seen.addAll(store.state(SCOPE).keySet());
    }

    boolean contains(String key) {
        return key != null && seen.contains(key);
    }

    void add(String key, long now) {
        if (key == null) {
            return;
        }
        seen.add(key);
        try {
            store.putState(SCOPE, key, Long.toString(now));
        } catch (SQLException e) {
            log.warn("could not persist the dedupe key {}: {}", key, e.getMessage());
        }
    }
}
