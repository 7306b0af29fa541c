package dev.poolwatch.store;

import java.time.Instant;

/**
 * A page of events, newest first. Null fields do not filter. {@code beforeId} is the cursor: the page holds events
 * with smaller ids only, so following pages never repeat or skip an event while new ones arrive.
 */
public record EventQuery(Instant since, String pool, String kind, Long beforeId, int limit) {
    public static final int MAX_LIMIT = 1000;

    public EventQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }
}
