package dev.poolwatch.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the API writes them: {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}. */
final class Durations {
    private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private Durations() {
    }

    /** The duration, or null when {@code value} is not written that way. */
    static Duration parse(String value) {
        Matcher m = SIMPLE.matcher(value.strip());
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms": return Duration.ofMillis(n);
            case "s": return Duration.ofSeconds(n);
            case "m": return Duration.ofMinutes(n);
            default: return Duration.ofHours(n);
        }
    }

    static String format(Duration d) {
        if (d.toMillis() % 3_600_000 == 0) {
            return d.toHours() + "h";
        }
        if (d.toMillis() % 60_000 == 0) {
            return d.toMinutes() + "m";
        }
        if (d.toMillis() % 1000 == 0) {
            return d.toSeconds() + "s";
        }
        return d.toMillis() + "ms";
    }
}
