package dev.poolwatch.store;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Something that happened to a pool, worth keeping for a person reading the history: a resize, a leak, a burst of
 * timeouts, a restart, a health change, a recovery action. {@code id} is 0 until the store has written it.
 */
public record Event(long id, Instant time, String pool, String kind, Severity severity, String message,
                    Map<String, Object> details) {

    public Event {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** A new event happening now. */
    public static Event of(String pool, String kind, Severity severity, String message, Map<String, Object> details) {
        return new Event(0, Instant.now(), pool, kind, severity, message, details);
    }
}
