package dev.poolwatch.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Builds the registry the exporter scrapes: Prometheus format, with the JVM and process binders bound. */
public final class MeterRegistries {
    private MeterRegistries() {
    }

    /**
     * A Prometheus registry with JVM memory, GC, threads, class loading, CPU, file descriptors and uptime, on a clock
     * whose wall time costs no system call per timer record (see {@link CoarseWallClock}).
     */
    public static PrometheusMeterRegistry prometheusWithJvm() {
        PrometheusMeterRegistry registry = prometheus();
        // Two of ProcessorMetrics' names break the Prometheus naming guide (promtool check metrics flags them):
        // a gauge ending in _count and a counter in nanoseconds. process_cpu_usage covers the second.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.cpu.logical.processors") : id;
            }
        });
        registry.config().meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")));
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    /**
     * An empty Prometheus registry on the clock of {@link #prometheusWithJvm()}: the cheapest to record into from a
     * pool's hot path (a {@code new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)} reads the system's wall clock
     * twice per timer record).
     */
    public static PrometheusMeterRegistry prometheus() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), CoarseWallClock.INSTANCE);
    }
}
