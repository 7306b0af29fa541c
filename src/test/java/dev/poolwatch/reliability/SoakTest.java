package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.load.WriteMode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The two-minute soak of CI: scripts/soak runs the same for 30 minutes. */
@Timeout(300)
class SoakTest {

    @TempDir
    Path dir;

    @Test
    void twoMinutesOfExtremeLoadWithFaultsLeakNothingAndLoseNothing() throws Exception {
        long minutes = Long.getLong("poolwatch.soak.minutes", 2);
        Soak.Report r = Soak.run(Duration.ofMinutes(minutes), dir, WriteMode.PLAIN);
        assertThat(r.load().integrityOk()).as(r.describe()).isTrue();
        assertThat(r.faults()).as("a fault every 20 s").isGreaterThanOrEqualTo((int) (minutes * 2));
        assertThat(r.survived() + r.cutShort()).as("faults after which a write and a read succeed again, or that the"
                + " end of the run interrupted").isEqualTo(r.faults());
        assertThat(r.end().writer().active() + r.end().reader().active()).as("connections still borrowed").isZero();
        assertThat(r.end().reader().total()).isLessThanOrEqualTo(r.end().reader().max());
        assertThat(r.fdsEnd()).as("file descriptors, start %d", r.fdsStart()).isLessThan(r.fdsStart() + 40);
        assertThat(r.heapEndMb()).as("heap after GC, start %d MiB", r.heapStartMb()).isLessThan(r.heapStartMb() + 100);
        assertThat(r.load().operations()).isPositive();
        Figures.record("Soak (CI)", r.describe(), r.faults(), "0 acknowledged writes; no connection or descriptor leak");
    }
}
