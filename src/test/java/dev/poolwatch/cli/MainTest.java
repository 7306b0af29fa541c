package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {
    }

    private static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void badOptionsExitWithTwoAndAClearMessage() {
        Result unknown = run("demo", "--bogus");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--bogus'");
        Result workers = run("demo", "--workers", "0", "--data-dir", dir.toString());
        assertThat(workers.code()).isEqualTo(2);
        assertThat(workers.err()).contains("--workers must be between 1 and 64, was 0");
        Result port = run("serve", "--db", dir.resolve("a.db").toString(), "--port", "70000");
        assertThat(port.code()).isEqualTo(2);
        assertThat(port.err()).contains("--port must be between 0 and 65535");
        Result duration = run("demo", "--duration", "soon");
        assertThat(duration.code()).isEqualTo(2);
        assertThat(duration.err()).contains("'soon' is not a duration");
        Result missingDb = run("serve");
        assertThat(missingDb.code()).isEqualTo(2);
        assertThat(missingDb.err()).contains("Missing required option: '--db=PATH[=NAME]'");
        Result config = run("demo", "--config", dir.resolve("nope.yaml").toString());
        assertThat(config.code()).isEqualTo(2);
        assertThat(config.err()).contains("does not exist");
        assertThat(Files.exists(dir.resolve("demo.db"))).isFalse();
    }

    @Test
    void helpListsTheCommandsAndTheirOptions() {
        Result help = run("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("demo", "serve", "POOLWATCH_PORT");
        Result demoHelp = run("demo", "--help");
        assertThat(demoHelp.out()).contains("--port", "--bind", "--token-file", "--data-dir", "--log-format");
    }

    @Test
    void demoRunsALoadServesAndStopsCleanly() throws Exception {
        Path data = dir.resolve("data");
        Result r = run("demo", "--port", "0", "--data-dir", data.toString(), "--duration", "2s",
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
}
