package dev.poolwatch.config;

import java.time.Duration;

/**
 * Bounds of {@code PUT …/config?trial=DURATION} and how often a running trial is judged. The defaults are what users
 * get; tests shorten them through {@code PoolWatch.Builder#configTrials}.
 *
 * @param minimum shortest trial accepted: shorter ones see too few operations to compare with the baseline
 * @param maximum longest trial accepted
 * @param checkEvery how often timeouts and errors are compared with the baseline, and the baseline sampled
 */
public record TrialSettings(Duration minimum, Duration maximum, Duration checkEvery) {

    public static final TrialSettings DEFAULT = new TrialSettings(Duration.ofMinutes(1), Duration.ofHours(24),
            Duration.ofSeconds(5));

    /** The lookback of the baseline never exceeds this, whatever the trial's length. */
    public static final Duration MAX_BASELINE = Duration.ofHours(1);

    public TrialSettings {
        if (minimum == null || minimum.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("minimum must be at least 100 ms, was " + minimum);
        }
        if (maximum == null || maximum.compareTo(minimum) < 0 || maximum.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("maximum must be between the minimum (" + minimum + ") and 7 d, was "
                    + maximum);
        }
        if (checkEvery == null || checkEvery.compareTo(Duration.ofMillis(10)) < 0 || checkEvery.compareTo(minimum) > 0) {
            throw new IllegalArgumentException("checkEvery must be between 10 ms and the minimum (" + minimum
                    + "), was " + checkEvery);
        }
    }
}
