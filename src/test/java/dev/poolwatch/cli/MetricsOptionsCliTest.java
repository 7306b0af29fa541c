package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.metrics.MetricsOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The serving commands switch on compatibility names and compact histograms, and refuse unknown names. */
class MetricsOptionsCliTest {

    @TempDir
    Path dir;

    @Test
    void metricsNamesAndCompactHistogramsReachTheExporter() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--db", dir.resolve("a.db").toString(), "--metrics-names", "hikaricp,otel",
                "--compact-histograms");
        serve.exporter.validate();

        assertThat(serve.exporter.metricsOptions()).isEqualTo(MetricsOptions.builder().hikariCpNames(true)
                .openTelemetryNames(true).compactHistograms(true).build());
    }

    @Test
    void defaultsPublishPoolwatchNamesOnly() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--db", dir.resolve("a.db").toString());

        assertThat(serve.exporter.metricsOptions()).isEqualTo(MetricsOptions.DEFAULT);
    }

    @Test
    void unknownMetricsNameIsAUsageErrorNamingTheOption() {
        CliRun r = CliRun.of("serve", "--db", dir.resolve("a.db").toString(), "--port", "0", "--metrics-names",
                "hikari");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--metrics-names must list hikaricp and/or otel, was 'hikari'");
        assertThat(dir.resolve("a.db")).doesNotExist();
    }
}
