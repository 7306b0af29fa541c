package dev.poolwatch.cli;

import dev.poolwatch.recovery.RecoverySettings;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Options of the recovery endpoint (see docs/recovery.md). */
final class RecoveryOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--recovery-dry-run", defaultValue = "false",
            description = "Decide and record recovery actions but run none.")
    boolean dryRun;

    @Option(names = "--recovery-cooldown", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.class,
            description = "Least time between two runs of one action on one pool (default: ${DEFAULT-VALUE});"
                    + " doubles, up to --recovery-cooldown-cap, when the same alert fires again, and starts over"
                    + " once the action has not run for three of its cooldowns.")
    Duration cooldown;

    @Option(names = "--recovery-cooldown-cap", paramLabel = "DURATION", defaultValue = "1h",
            converter = Durations.class, description = "Longest cooldown after backoff (default: ${DEFAULT-VALUE}).")
    Duration cooldownCap;

    @Option(names = "--recovery-budget", paramLabel = "N", defaultValue = "10",
            description = "Actions allowed per --recovery-window before remediation is suspended"
                    + " (default: ${DEFAULT-VALUE}).")
    int budget;

    @Option(names = "--recovery-window", paramLabel = "DURATION", defaultValue = "10m", converter = Durations.class,
            description = "The budget's window (default: ${DEFAULT-VALUE}).")
    Duration window;

    @Option(names = "--recovery-quiet-period", paramLabel = "DURATION", defaultValue = "15m",
            converter = Durations.class,
            description = "How long remediation stays suspended once the budget is spent (default: ${DEFAULT-VALUE}).")
    Duration quietPeriod;

    @Option(names = "--resize-ceiling", paramLabel = "N", defaultValue = "50",
            description = "Highest reader limit resize_up may set (default: ${DEFAULT-VALUE}).")
    int resizeCeiling;

    @Option(names = "--resize-down-after", paramLabel = "DURATION", defaultValue = "5m", converter = Durations.class,
            description = "A reader limit raised by resize_up returns to the configured size once no caller has"
                    + " waited for a reader for this long (default: ${DEFAULT-VALUE}).")
    Duration resizeDownAfter;

    RecoverySettings settings() {
        try {
            return new RecoverySettings(dryRun, cooldown, cooldownCap, budget, window, quietPeriod, resizeCeiling,
                    RecoverySettings.DEFAULT.maxAlertsPerDelivery(), resizeDownAfter);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "recovery: " + e.getMessage());
        }
    }
}
