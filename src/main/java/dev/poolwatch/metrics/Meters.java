package dev.poolwatch.metrics;

import dev.poolwatch.pool.PoolStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Registers meters into one registry and remembers them, so that a binder can remove exactly what it added. Every
 * meter gets a description, as Micrometer's conventions and promtool ask.
 */
final class Meters {

    private final MeterRegistry registry;
    private final List<Meter> registered = new ArrayList<>();

    Meters(MeterRegistry registry) {
        this.registry = registry;
    }

    void gauge(String name, String description, Tags tags, String baseUnit, DoubleSupplier value) {
        registered.add(Gauge.builder(name, value::getAsDouble).description(description).tags(tags)
                .baseUnit(baseUnit).strongReference(true).register(registry));
    }

    /** A gauge of the writer's and the readers' numbers added up, for names that know one kind of connection. */
    void gaugeOfBothRoles(String name, String description, Tags tags, Supplier<PoolStats> stats,
                          ToIntFunction<PoolStats.RoleStats> f) {
        gauge(name, description, tags, null, () -> {
            PoolStats s = stats.get();
            return f.applyAsInt(s.writer()) + f.applyAsInt(s.reader());
        });
    }

    Counter counter(String name, String description, Tags tags) {
        Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
        registered.add(c);
        return c;
    }

    /** A timer published as a Prometheus histogram with these bucket bounds. */
    Timer histogram(String name, String description, Tags tags, Duration[] buckets) {
        Timer t = Timer.builder(name).description(description).tags(tags).serviceLevelObjectives(buckets)
                .register(registry);
        registered.add(t);
        return t;
    }

    /** A timer without buckets (a Prometheus summary of count and sum, plus its max), as HikariCP publishes them. */
    Timer summary(String name, String description, Tags tags) {
        Timer t = Timer.builder(name).description(description).tags(tags).register(registry);
        registered.add(t);
        return t;
    }

    void removeAll() {
        for (Meter m : registered) {
            registry.remove(m);
        }
        registered.clear();
    }
}
