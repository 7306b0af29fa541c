package dev.poolwatch.recovery;

import java.time.Duration;

/**
 * How careful the recovery endpoint is: cooldowns between runs of one action on one pool (doubling, up to a cap,
 * when the same alert fires again after its action ran, and back to the base once the incident is over), a budget of
 * actions per window beyond which remediation is suspended until a quiet period passes, dry-run, the ceiling for
 * resize_up, and how long readers must be free of pressure before a pool enlarged by resize_up returns to its
 * configured size.
 */
public record RecoverySettings(boolean dryRun, Duration cooldown, Duration cooldownCap, int budget,
                               Duration budgetWindow, Duration quietPeriod, int resizeCeiling, int maxAlertsPerDelivery,
                               Duration resizeDownAfter) {

    public static final RecoverySettings DEFAULT = new RecoverySettings(false, Duration.ofMinutes(5),
            Duration.ofHours(1), 10, Duration.ofMinutes(10), Duration.ofMinutes(15), 50, 500, Duration.ofMinutes(5));

    public RecoverySettings {
        check("cooldown", cooldown, Duration.ZERO, Duration.ofDays(1));
        check("cooldownCap", cooldownCap, cooldown, Duration.ofDays(7));
        if (budget < 1 || budget > 10_000) {
            throw new IllegalArgumentException("budget must be between 1 and 10000, was " + budget);
        }
        check("budgetWindow", budgetWindow, Duration.ofSeconds(1), Duration.ofDays(1));
        check("quietPeriod", quietPeriod, Duration.ofSeconds(1), Duration.ofDays(1));
        if (resizeCeiling < 1 || resizeCeiling > 1000) {
            throw new IllegalArgumentException("resizeCeiling must be between 1 and 1000, was " + resizeCeiling);
        }
        if (maxAlertsPerDelivery < 1 || maxAlertsPerDelivery > 10_000) {
            throw new IllegalArgumentException("maxAlertsPerDelivery must be between 1 and 10000, was "
                    + maxAlertsPerDelivery);
        }
        check("resizeDownAfter", resizeDownAfter, Duration.ofMillis(100), Duration.ofDays(1));
    }

    /** The settings with resize_down after the default 5 minutes without reader pressure. */
    public RecoverySettings(boolean dryRun, Duration cooldown, Duration cooldownCap, int budget, Duration budgetWindow,
                            Duration quietPeriod, int resizeCeiling, int maxAlertsPerDelivery) {
        this(dryRun, cooldown, cooldownCap, budget, budgetWindow, quietPeriod, resizeCeiling, maxAlertsPerDelivery,
                Duration.ofMinutes(5));
    }

    private static void check(String field, Duration value, Duration min, Duration max) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    public RecoverySettings withDryRun(boolean on) {
        return new RecoverySettings(on, cooldown, cooldownCap, budget, budgetWindow, quietPeriod, resizeCeiling,
                maxAlertsPerDelivery, resizeDownAfter);
    }

    public RecoverySettings withResizeDownAfter(Duration after) {
        return new RecoverySettings(dryRun, cooldown, cooldownCap, budget, budgetWindow, quietPeriod, resizeCeiling,
                maxAlertsPerDelivery, after);
    }
}
