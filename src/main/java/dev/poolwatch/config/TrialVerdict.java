package dev.poolwatch.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whether a trial's timeouts or errors rose against its baseline. With {@code b} the baseline's timeouts (or errors)
 * per acquire attempt, and {@code n} the attempts and {@code t} the timeouts (errors) since the trial started, the
 * count <em>rose</em> when {@code t > 2 × b × n}: more than twice what the baseline's rate predicts for the same
 * traffic. A pool with no timeouts (errors) in its baseline therefore rises with the first one.
 */
record TrialVerdict(boolean rose, String reason, Map<String, Object> figures) {

    /** How many times the baseline's rate a trial may reach before it counts as a rise. */
    static final double TOLERANCE = 2.0;

    static TrialVerdict judge(Health baseline, Health trial) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("baselineSeconds", baseline.timeMs() / 1000.0);
        figures.put("baselineAttempts", baseline.attempts());
        figures.put("baselineTimeouts", baseline.timeouts());
        figures.put("baselineErrors", baseline.errors());
        figures.put("trialSeconds", trial.timeMs() / 1000.0);
        figures.put("trialAttempts", trial.attempts());
        figures.put("trialTimeouts", trial.timeouts());
        figures.put("trialErrors", trial.errors());
        double allowedTimeouts = allowance(baseline.timeouts(), baseline.attempts(), trial.attempts());
        double allowedErrors = allowance(baseline.errors(), baseline.attempts(), trial.attempts());
        figures.put("allowedTimeouts", allowedTimeouts);
        figures.put("allowedErrors", allowedErrors);
        if (trial.timeouts() > allowedTimeouts) {
            return new TrialVerdict(true, "timeouts rose: " + trial.timeouts() + " in " + trial.attempts()
                    + " acquire attempts, more than the " + format(allowedTimeouts) + " allowed by the baseline ("
                    + baseline.timeouts() + " in " + baseline.attempts() + ")", figures);
        }
        if (trial.errors() > allowedErrors) {
            return new TrialVerdict(true, "errors rose: " + trial.errors() + " in " + trial.attempts()
                    + " acquire attempts, more than the " + format(allowedErrors) + " allowed by the baseline ("
                    + baseline.errors() + " in " + baseline.attempts() + ")", figures);
        }
        return new TrialVerdict(false, "timeouts " + trial.timeouts() + " and errors " + trial.errors() + " in "
                + trial.attempts() + " acquire attempts stayed within twice the baseline", figures);
    }

    private static double allowance(long baselineCount, long baselineAttempts, long trialAttempts) {
        if (baselineAttempts <= 0) {
            return 0;
        }
        return TOLERANCE * baselineCount / baselineAttempts * trialAttempts;
    }

    private static String format(double d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d);
    }
}
