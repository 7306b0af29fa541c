package dev.poolwatch.metrics;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link PoolMetrics} publishes besides its own meters, and how finely. Built with {@link #builder()}; the
 * defaults are full histograms, no compatibility names and storage sampled every 15 seconds.
 *
 * @param compactHistograms      8 bucket bounds per histogram instead of 17 (20 for usage): for processes that run
 *                               many pools, such as one database per tenant (docs/metrics.md has the series counts)
 * @param hikariCpNames          also publish HikariCP's Micrometer names ({@code hikaricp_connections_*}), so
 *                               dashboards made for HikariCP work unchanged
 * @param openTelemetryNames     also publish OpenTelemetry's {@code db.client.connection.*} names
 * @param storageSampleInterval  how often free disk space, page_count and freelist_count are read, off the scrape
 *                               path (1 s to 1 h)
 */
public record MetricsOptions(boolean compactHistograms, boolean hikariCpNames, boolean openTelemetryNames,
                             Duration storageSampleInterval) {

    public static final MetricsOptions DEFAULT = builder().build();

    public MetricsOptions {
        Objects.requireNonNull(storageSampleInterval, "storageSampleInterval");
        if (storageSampleInterval.compareTo(Duration.ofSeconds(1)) < 0
                || storageSampleInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("storageSampleInterval must be between 1 s and 1 h, was "
                    + storageSampleInterval);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link MetricsOptions}; {@link #build()} checks the ranges and names the field that is out of range. */
    public static final class Builder {
        private boolean compactHistograms;
        private boolean hikariCpNames;
        private boolean openTelemetryNames;
        private Duration storageSampleInterval = Duration.ofSeconds(15);

        private Builder() {
        }

        public Builder compactHistograms(boolean on) {
            this.compactHistograms = on;
            return this;
        }

        public Builder hikariCpNames(boolean on) {
            this.hikariCpNames = on;
            return this;
        }

        public Builder openTelemetryNames(boolean on) {
            this.openTelemetryNames = on;
            return this;
        }

        public Builder storageSampleInterval(Duration interval) {
            this.storageSampleInterval = interval;
            return this;
        }

        public MetricsOptions build() {
            return new MetricsOptions(compactHistograms, hikariCpNames, openTelemetryNames, storageSampleInterval);
        }
    }
}
