package dev.poolwatch.load;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A load shape: how many workers, for how long, what share of reads, and whether they are released in bursts (all
 * at once, repeatedly) instead of running steadily.
 */
public record Scenario(String name, int workers, Duration duration, int readPercent, boolean burst) {

    public static final List<Scenario> BUILT_IN = List.of(
            new Scenario("light", 5, Duration.ofSeconds(30), 70, false),
            new Scenario("medium", 10, Duration.ofSeconds(60), 70, false),
            new Scenario("heavy", 15, Duration.ofSeconds(120), 70, false),
            new Scenario("extreme", 25, Duration.ofSeconds(180), 70, false),
            new Scenario("write-heavy", 15, Duration.ofSeconds(60), 30, false),
            new Scenario("burst", 25, Duration.ofSeconds(60), 70, true));

    public Scenario {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers must be between 1 and 256, was " + workers);
        }
        if (duration == null || duration.toMillis() < 100 || duration.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("duration must be between 100 ms and 24 h, was " + duration);
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("readPercent must be between 0 and 100, was " + readPercent);
        }
    }

    /** The built-in scenario of that name, or null. */
    public static Scenario named(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return BUILT_IN.stream().filter(s -> s.name.equals(n)).findFirst().orElse(null);
    }

    public Scenario withWorkers(int n) {
        return new Scenario(name, n, duration, readPercent, burst);
    }

    public Scenario withDuration(Duration d) {
        return new Scenario(name, workers, d, readPercent, burst);
    }

    public Scenario withReadPercent(int pct) {
        return new Scenario(name, workers, duration, pct, burst);
    }
}
