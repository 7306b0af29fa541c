package dev.poolwatch.pool;

import java.util.List;

/** The outcome of {@code PRAGMA quick_check}: {@code ok} when SQLite answered the single row "ok". */
public record QuickCheckResult(boolean ok, List<String> problems, long durationNanos) {
    public QuickCheckResult {
        problems = List.copyOf(problems);
    }
}
