package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadCommandTest {

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shortRunReportsIntegrityAndWritesJsonAndCsv() throws Exception {
        CliRun r = run("load", "--scenario", "write-heavy", "--duration", "1500ms", "--workers", "8",
                "--db", dir.resolve("load.db").toString(), "--out", dir.resolve("report").toString(),
                "--max-error-rate", "1%");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("write-heavy", "ok (");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("report/load-report.json").toFile());
        JsonNode s = json.get("scenarios").get(0);
        assertThat(s.get("integrityOk").asBoolean()).isTrue();
        assertThat(s.get("writes").asLong()).isPositive();
        assertThat(s.get("acknowledgedWrites").asLong()).isEqualTo(s.get("writes").asLong());
        assertThat(s.get("errors").asLong()).isZero();
        assertThat(Files.readAllLines(dir.resolve("report/load-report.csv"))).hasSize(2)
                .first().asString().startsWith("scenario,workers,readPercent");
    }

    @Test
    void batchedModeWritesThroughGroupCommitAndTheReportsSayTheMode() throws Exception {
        CliRun r = run("load", "--scenario", "write-heavy", "--duration", "1500ms", "--workers", "8", "--mode", "batched",
                "--db", dir.resolve("load.db").toString(), "--out", dir.resolve("report").toString(),
                "--max-error-rate", "0");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("batched writes", "write-heavy batched:", "committed batches");
        JsonNode s = new ObjectMapper().readTree(dir.resolve("report/load-report.json").toFile()).get("scenarios").get(0);
        assertThat(s.get("mode").asText()).isEqualTo("batched");
        assertThat(s.get("integrityOk").asBoolean()).isTrue();
        long writes = s.get("writes").asLong();
        assertThat(writes).isPositive();
        assertThat(s.get("acknowledgedWrites").asLong()).isEqualTo(writes);
        assertThat(s.get("batches").asLong()).as("writes went through group commit").isBetween(1L, writes);
        List<String> csv = Files.readAllLines(dir.resolve("report/load-report.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        assertThat(csv.get(1).split(",")[header.indexOf("mode")]).isEqualTo("batched");

        CliRun plain = run("load", "--scenario", "light", "--duration", "500ms", "--db",
                dir.resolve("plain.db").toString(), "--out", dir.resolve("plain").toString());
        assertThat(plain.code()).as(plain.err()).isZero();
        JsonNode p = new ObjectMapper().readTree(dir.resolve("plain/load-report.json").toFile()).get("scenarios").get(0);
        assertThat(p.get("mode").asText()).isEqualTo("plain");
        assertThat(p.get("batches").asLong()).isZero();
    }

    @Test
    void missedGateExitsWithThree() {
        CliRun r = run("load", "--scenario", "light", "--duration", "500ms", "--db", dir.resolve("load.db").toString(),
                "--max-p99-acquire", "0ms");
        assertThat(r.code()).isEqualTo(LoadCommand.GATE_MISSED);
        assertThat(r.err()).contains("gate missed in light: p99 acquire");
    }

    @Test
    void helpPrintsPercentSignsWithoutPicocliWarnings() {
        CliRun r = run("load", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).doesNotContain("picocli WARN");
        assertThat(r.out()).contains("e.g. 1% or 0.01", "with 70% writes");
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertThat(run("load", "--scenario", "huge").code()).isEqualTo(2);
        assertThat(run("load", "--read-percent", "95").err()).contains("--read-percent must be between 30 and 80");
        assertThat(run("load", "--max-error-rate", "lots").code()).isEqualTo(2);
        CliRun badMode = run("load", "--mode", "fast", "--db", dir.resolve("never.db").toString());
        assertThat(badMode.code()).isEqualTo(2);
        assertThat(badMode.err()).contains("--mode must be plain or batched, was 'fast'");
        assertThat(dir.resolve("never.db")).as("bad input changes nothing").doesNotExist();
    }

    @Test
    void anOutThatCannotHoldTheReportsIsRefusedBeforeTheRun() throws Exception {
        Path file = Files.writeString(dir.resolve("report.txt"), "mine");
        CliRun onAFile = run("load", "--scenario", "light", "--duration", "500ms",
                "--db", dir.resolve("never.db").toString(), "--out", file.toString());
        assertThat(onAFile.code()).isEqualTo(2);
        assertThat(onAFile.err()).contains("--out " + file + " is a file; give a directory to write load-report.json"
                + " and load-report.csv in");
        CliRun underAFile = run("load", "--scenario", "light", "--duration", "500ms",
                "--db", dir.resolve("never.db").toString(), "--out", file.resolve("reports").toString());
        assertThat(underAFile.code()).isEqualTo(2);
        assertThat(underAFile.err()).contains("--out " + file.resolve("reports") + ": " + file
                + " is not a writable directory, so the reports could not be written there");
        assertThat(dir.resolve("never.db")).as("bad input changes nothing").doesNotExist();
        assertThat(file).hasContent("mine");
    }
}
