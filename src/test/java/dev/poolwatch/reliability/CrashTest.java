package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random moments while the pool writes, one write per transaction or through group commit: after each kill the database must pass integrity_check and hold
 * every write the pool had acknowledged. (synchronous=NORMAL in WAL mode keeps commits across a process crash; only a
 * power loss may take the last ones.)
 */
@Timeout(300)
class CrashTest {

    private static final int ROUNDS = 12;
    private static final int BATCHED_ROUNDS = 5;

    @TempDir
    Path dir;

    @Test
    void killedProcessLosesNoAcknowledgedWriteAndLeavesAnIntactDatabase() throws Exception {
        long totalAcked = crashRepeatedly("plain", ROUNDS);
        Figures.record("Process crash (SIGKILL)", "child JVM under write load killed at random moments (seed 42),"
                + " then integrity_check and every acknowledged write looked up", ROUNDS, "0 of " + totalAcked
                + " acknowledged writes; integrity_check ok every time");
    }

    @Test
    void killedProcessUnderGroupCommitLosesNoAcknowledgedWrite() throws Exception {
        long totalAcked = crashRepeatedly("batched", BATCHED_ROUNDS);
        Figures.record("Process crash under group commit (SIGKILL)", "child JVM writing through writeBatched() killed"
                + " at random moments (seed 42), then integrity_check and every acknowledged write looked up",
                BATCHED_ROUNDS, "0 of " + totalAcked + " acknowledged writes; integrity_check ok every time");
    }

    /** Kills a victim writing in {@code mode} {@code rounds} times; returns how many writes it acknowledged in all. */
    private long crashRepeatedly(String mode, int rounds) throws Exception {
        Path db = dir.resolve(mode + "-crash.db");
        Path acks = dir.resolve(mode + "-acks.txt");
        Random random = new Random(42);
        long totalAcked = 0;
        for (int round = 0; round < rounds; round++) {
            Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashVictim.class.getName(), db.toString(),
                    acks.toString(), mode).redirectError(dir.resolve(mode + "-victim-" + round + ".err").toFile())
                    .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.equals("running"));
                assertThat(line).as("the victim started").isEqualTo("running");
                Thread.sleep(200 + random.nextInt(1300));
            } finally {
                victim.destroyForcibly();
                assertThat(victim.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(victim.exitValue()).as("killed by SIGKILL").isEqualTo(137);
            Set<Long> acknowledged = new HashSet<>();
            for (String line : Files.readAllLines(acks)) {
                if (!line.isBlank()) {
                    acknowledged.add(Long.parseLong(line.strip()));
                }
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("integrity_check after kill %d", round).isEqualTo("ok");
                }
                Set<Long> present = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SELECT op_id FROM bot_message")) {
                    while (rs.next()) {
                        present.add(rs.getLong(1));
                    }
                }
                Set<Long> lost = new HashSet<>(acknowledged);
                lost.removeAll(present);
                assertThat(lost).as("acknowledged writes missing after kill %d", round).isEmpty();
            }
            totalAcked = acknowledged.size();
        }
        assertThat(totalAcked).as("the victims really wrote").isGreaterThan(rounds * 10L);
        return totalAcked;
    }
}
