package dev.poolwatch.config;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolStats;

/**
 * The counters a trial is judged by, summed over both roles since the pool opened: acquire attempts (acquires plus
 * timeouts), timeouts, and errors of the pool or the database. Errors of the caller's own statements
 * ({@link ErrorKind#APPLICATION}, {@link ErrorKind#CONSTRAINT}) are left out: no pool setting causes or cures them.
 */
record Health(long timeMs, long attempts, long timeouts, long errors) {

    static Health of(PoolStats s, long timeMs) {
        long timeouts = s.writer().timeouts() + s.reader().timeouts();
        long attempts = s.writer().acquires() + s.reader().acquires() + timeouts;
        long errors = 0;
        for (var e : s.errors().entrySet()) {
            if (e.getKey() != ErrorKind.APPLICATION && e.getKey() != ErrorKind.CONSTRAINT) {
                errors += e.getValue();
            }
        }
        return new Health(timeMs, attempts, timeouts, errors);
    }

    Health since(Health earlier) {
        return new Health(timeMs - earlier.timeMs, attempts - earlier.attempts, timeouts - earlier.timeouts,
                errors - earlier.errors);
    }
}
