package dev.poolwatch.recovery;

import java.util.Locale;

/** What the recovery endpoint decided or saw for one request; the {@code outcome} tag of its metrics. */
public enum Outcome {
    /** Accepted and handed to the executor. */
    EXECUTED,
    /** The action ran and did its job. */
    SUCCEEDED,
    /**
     * The fault the action answers was not there (any more) when it was about to act: nothing was changed. Told
     * apart from {@link #SUCCEEDED} so an alert that fires after its fault has gone shows as such.
     */
    NOTHING_TO_DO,
    /** The action ran and failed, or could not be started. */
    FAILED,
    /** The same alert (fingerprint and start time) was already handled. */
    DEDUPLICATED,
    /** The action ran on this pool too recently. */
    COOLED_DOWN,
    /** Too many actions in the budget window: remediation is suspended. */
    BUDGET_SUSPENDED,
    /** Dry-run mode: decided, recorded, not run. */
    DRY_RUN,
    /** Not a request this endpoint can honour: unknown action or pool, or no action label. */
    REJECTED,
    /** The alert resolved; nothing runs. */
    RESOLVED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
