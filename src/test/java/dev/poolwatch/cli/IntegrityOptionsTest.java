package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrityOptionsTest {

    @TempDir
    Path dir;

    @Test
    void budgetLongerThanThePeriodIsAUsageErrorNamingBothOptions() {
        CliRun r = CliRun.of("serve", "--db", dir.resolve("a.db").toString(), "--port", "0",
                "--integrity-check-period", "1m", "--integrity-check-budget", "2m");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--integrity-check-period/--integrity-check-budget")
                .contains("budget must be between 10 ms and 1 h and at most the period (PT1M), was PT2M");
        assertThat(Files.exists(dir.resolve("a.db"))).as("nothing was opened").isFalse();
    }

    @Test
    void serveRunsTheScheduledChecksAndZeroTurnsThemOff() {
        CliRun on = CliRun.of("serve", "--db", dir.resolve("a.db").toString(), "--port", "0", "--duration", "1s",
                "--integrity-check-period", "1h");
        CliRun off = CliRun.of("serve", "--db", dir.resolve("b.db").toString(), "--port", "0", "--duration", "1s",
                "--integrity-check-period", "0s");

        assertThat(on.code()).as(on.err()).isZero();
        assertThat(off.code()).as(off.err()).isZero();
        assertThat(on.out() + on.err()).contains("integrity checks every PT1H with a budget of PT30S");
        assertThat(off.out() + off.err()).doesNotContain("integrity checks every");
    }
}
