package dev.poolwatch.server;

import dev.poolwatch.pool.ErrorKind;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Watches one pool's counts of the errors that say its database cannot be used (damaged, read-only, full) from
 * probe to probe. A kind counts as present when it rose since the previous probe, or rose within {@link #MEMORY}: so
 * neither frequent probes between sparse failures nor a probe that lands in a quiet second flap readiness. A restart
 * of the pool (restart_pool's answer to a read-only writer) makes what came before it history.
 */
final class UnusableErrors {

    /** How long a rise keeps its kind present. */
    static final Duration MEMORY = Duration.ofSeconds(30);
    static final List<ErrorKind> KINDS = List.of(ErrorKind.CORRUPT, ErrorKind.READONLY, ErrorKind.FULL);

    private final Map<ErrorKind, Long> counts = new EnumMap<>(ErrorKind.class);
    private final Map<ErrorKind, Long> lastRiseNanos = new EnumMap<>(ErrorKind.class);
    private final Map<ErrorKind, Long> lastRise = new EnumMap<>(ErrorKind.class);
    private long restarts = -1;

    /**
     * Takes the pool's error counts and restart count at {@code nanos} and returns the kinds present, each with the
     * size of its last rise. The first observation, and the first after a restart, is a new baseline.
     */
    synchronized Map<ErrorKind, Long> observe(Map<ErrorKind, Long> now, long restartsNow, long nanos) {
        boolean first = restartsNow != restarts;
        restarts = restartsNow;
        if (first) {
            lastRiseNanos.clear();
        }
        Map<ErrorKind, Long> present = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : KINDS) {
            long count = now.getOrDefault(kind, 0L);
            long rise = count - counts.getOrDefault(kind, count);
            counts.put(kind, count);
            if (first) {
                continue;
            }
            if (rise > 0) {
                lastRiseNanos.put(kind, nanos);
                lastRise.put(kind, rise);
            }
            Long last = lastRiseNanos.get(kind);
            if (last != null && (rise > 0 || nanos - last < MEMORY.toNanos())) {
                present.put(kind, lastRise.get(kind));
            }
        }
        return present;
    }
}
