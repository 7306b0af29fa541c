package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void badOptionsExitWithTwoAndAClearMessage() {
        CliRun unknown = run("demo", "--bogus");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'");
        CliRun workers = run("demo", "--workers", "0", "--data-dir", dir.toString());
        assertThat(workers.code()).isEqualTo(2);
        assertThat(workers.err()).contains("--workers must be between 1 and 64, was 0");
        CliRun port = run("serve", "--db", dir.resolve("a.db").toString(), "--port", "70000");
        assertThat(port.code()).isEqualTo(2);
        assertThat(port.err()).contains("--port must be between 0 and 65535");
        CliRun duration = run("demo", "--duration", "soon");
        assertThat(duration.code()).isEqualTo(2);
        assertThat(duration.err()).contains("'soon' is not a duration");
        CliRun missingDb = run("serve");
        assertThat(missingDb.code()).isEqualTo(2);
        assertThat(missingDb.err()).contains("Missing required option: '--db=PATH[=NAME]'");
        CliRun config = run("demo", "--config", dir.resolve("nope.yaml").toString());
        assertThat(config.code()).isEqualTo(2);
        assertThat(config.err()).contains("does not exist");
        assertThat(Files.exists(dir.resolve("demo.db"))).isFalse();
    }

    @Test
    void helpListsTheCommandsAndTheirOptions() {
        CliRun help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("demo", "serve", "POOLWATCH_PORT");
        CliRun demoHelp = run("demo", "--help");
        assertThat(demoHelp.out()).contains("--port", "--bind", "--token-file", "--data-dir", "--log-format");
    }

    @Test
    void demoRunsALoadServesAndStopsCleanly() throws Exception {
        Path data = dir.resolve("data");
        CliRun r = run("demo", "--port", "0", "--data-dir", data.toString(), "--duration", "2s",
                "--report-every", "500ms");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("/metrics", "[demo]", "poolwatch demo stopped after");
        assertThat(r.out()).doesNotContain(" 0 operations");
        assertThat(Files.exists(data.resolve("demo.db"))).isTrue();
        assertThat(Files.exists(data.resolve("poolwatch-monitor.db"))).isTrue();
        assertThat(Files.exists(data.resolve("demo.db-wal"))).as("the WAL is checkpointed away on exit").isFalse();
    }

    @Test
    void defaultsComeFromEnvironmentThenConfigFile() throws Exception {
        Path yaml = Files.writeString(dir.resolve("pw.yaml"), "port: 9999\nbind: 127.0.0.2\nworkers: 3\n");
        Path props = Files.writeString(dir.resolve("pw.properties"), "port=8888\n");
        ConfigDefaults fromYaml = new ConfigDefaults(new String[] {"--config", yaml.toString()},
                Map.of("POOLWATCH_BIND", "127.0.0.3"));
        CommandLine cli = new CommandLine(Main.class);
        CommandLine.Model.CommandSpec demo = cli.getSubcommands().get("demo").getCommandSpec();
        assertThat(fromYaml.defaultValue(demo.findOption("--port"))).isEqualTo("9999");
        assertThat(fromYaml.defaultValue(demo.findOption("--bind"))).isEqualTo("127.0.0.3");
        assertThat(fromYaml.defaultValue(demo.findOption("--workers"))).isEqualTo("3");
        assertThat(fromYaml.defaultValue(demo.findOption("--rate"))).isEqualTo("200");
        ConfigDefaults fromProps = new ConfigDefaults(new String[0], Map.of("POOLWATCH_CONFIG", props.toString()));
        assertThat(fromProps.defaultValue(demo.findOption("--port"))).isEqualTo("8888");
    }

    @Test
    void serveOpensEveryNamedDatabaseAndStopsCleanly() throws Exception {
        CliRun r = run("serve", "--db", dir.resolve("one.db") + "=first", "--db", dir.resolve("two.db").toString(),
                "--port", "0", "--duration", "1s");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("poolwatch serving [first, two] at http://127.0.0.1:");
        assertThat(Files.exists(dir.resolve("one.db"))).isTrue();
        assertThat(Files.exists(dir.resolve("poolwatch-monitor.db"))).isTrue();
    }

    @Test
    void stackStartsPrometheusAndAlertmanagerBesideTheDemoAndCleansUp() throws Exception {
        java.util.Set<Path> tempBefore = stackTempDirs();
        Path data = dir.resolve("stack-data");
        CliRun r = run("stack", "--repo", Path.of("").toAbsolutePath().toString(), "--data-dir", data.toString(),
                "--port", "0", "--prometheus-port", Integer.toString(LocalStack.freePort()),
                "--alertmanager-port", Integer.toString(LocalStack.freePort()), "--duration", "2s", "--rate", "50");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("poolwatch stack is up", "alerts        http://127.0.0.1:",
                "alertmanager  http://127.0.0.1:", "poolwatch stack stopped");
        assertThat(Files.readString(data.resolve("poolwatch-token"))).as("a generated token").hasSizeGreaterThan(20);
        assertThat(stackTempDirs()).as("the stack's temp dirs are removed").isEqualTo(tempBefore);
    }

    private static java.util.Set<Path> stackTempDirs() throws java.io.IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("poolwatch-stack-"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
