package dev.poolwatch.integrity;

import java.time.Duration;

/**
 * How often each pool's database is checked and how long one check may take. The defaults keep the check under 1 %
 * of one reader's time on a 1 GB database (measured figures in docs/pool.md): a check that would outlast the budget
 * is stopped and counted as {@code incomplete}, never as a failure.
 *
 * @param period time between the end of one round of checks and the start of the next (1 s to 7 d)
 * @param budget longest time one check may hold its reader (10 ms to 1 h, and at most the period)
 */
public record IntegritySchedule(Duration period, Duration budget) {

    public static final IntegritySchedule DEFAULT = new IntegritySchedule(Duration.ofHours(1), Duration.ofSeconds(30));

    public IntegritySchedule {
        if (period == null || period.compareTo(Duration.ofSeconds(1)) < 0 || period.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("period must be between 1 s and 7 d, was " + period);
        }
        if (budget == null || budget.compareTo(Duration.ofMillis(10)) < 0 || budget.compareTo(Duration.ofHours(1)) > 0
                || budget.compareTo(period) > 0) {
            throw new IllegalArgumentException("budget must be between 10 ms and 1 h and at most the period ("
                    + period + "), was " + budget);
        }
    }

    /** The worst share of one reader's time the checks can take: budget over period. */
    public double worstReaderShare() {
        return (double) budget.toNanos() / (period.toNanos() + budget.toNanos());
    }
}
