package dev.poolwatch.pool;

import java.util.Locale;

/** Life-cycle of a pool; {@link #tag()} is the value of the {@code state} metric tag. */
public enum PoolState {
    /** Handing out connections. */
    OPEN,
    /** Admissions stopped by {@link SqlitePool#pause()}; callers wait, holders carry on. */
    PAUSED,
    /** Draining and reopening every connection; callers wait. */
    RESTARTING,
    /** Closed for good; every call fails with {@link PoolClosedException}. */
    CLOSED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
