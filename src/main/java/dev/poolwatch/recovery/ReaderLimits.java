package dev.poolwatch.recovery;

import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.store.EventStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reader limits resize_up raised, so a pool can return to its configured size once the pressure that raised it
 * is gone. Kept in the event store, so an exporter restarted around a running pool still knows the way back.
 */
final class ReaderLimits {

    static final String SCOPE = "recovery.resize";
    private static final Logger log = LoggerFactory.getLogger(ReaderLimits.class);

    /** A pool whose limit resize_up raised from {@code configured} to {@code raisedTo}; pressure last seen then. */
    record Raised(int configured, int raisedTo, long lastPressureMs) {
    }

    private final EventStore store;
    private final Map<String, Raised> byPool = new ConcurrentHashMap<>();

    ReaderLimits(EventStore store, long now) throws SQLException {
        this.store = store;
        store.state(SCOPE).forEach((pool, v) -> {
            String[] p = v.split(",");
            try {
                if (p.length == 2) {
                    byPool.put(pool, new Raised(Integer.parseInt(p[0]), Integer.parseInt(p[1]), now));
                }
            } catch (NumberFormatException e) {
                log.warn("ignoring unreadable saved reader limit {}={}", pool, v);
            }
        });
    }

    Raised get(String pool) {
        return byPool.get(pool);
    }

    /** resize_up moved the limit from {@code from} to {@code to}; the first raise of an episode keeps the baseline. */
    void raised(String pool, int from, int to, long now) {
        Raised before = byPool.get(pool);
        int configured = before != null && before.raisedTo() == from ? before.configured() : from;
        save(pool, new Raised(configured, to, now));
    }

    /** The pool is at its configured size again, or someone else chose its limit: there is no way back to take. */
    void forget(String pool) {
        if (byPool.remove(pool) != null) {
            persist(pool, "");
        }
    }

    /** Readers are under pressure while callers wait or the readers added by resize_up are in use. */
    static boolean underPressure(PoolStats.RoleStats readers, int configured) {
        return readers.pending() > 0 || readers.active() > configured;
    }

    /**
     * Samples the pool and says whether it should go back to its configured size now: no pressure for
     * {@code after}. A limit someone else has changed since resize_up is theirs, and forgotten here.
     */
    boolean dueForResizeDown(SqlitePool pool, long now, Duration after) {
        Raised r = byPool.get(pool.name());
        if (r == null) {
            return false;
        }
        if (pool.config().maxReaders() != r.raisedTo()) {
            log.info("pool '{}' reader limit is {} now, not the {} resize_up set: it is left as it is",
                    pool.name(), pool.config().maxReaders(), r.raisedTo());
            forget(pool.name());
            return false;
        }
        if (underPressure(pool.stats().reader(), r.configured())) {
            byPool.put(pool.name(), new Raised(r.configured(), r.raisedTo(), now));
            return false;
        }
        return now - r.lastPressureMs() >= after.toMillis();
    }

    private void save(String pool, Raised r) {
        byPool.put(pool, r);
        persist(pool, r.configured() + "," + r.raisedTo());
    }

    private void persist(String pool, String value) {
        try {
            store.putState(SCOPE, pool, value);
        } catch (SQLException e) {
            log.warn("could not persist the reader limit of pool '{}': {}", pool, e.getMessage());
        }
    }
}
