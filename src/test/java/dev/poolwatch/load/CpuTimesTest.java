package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuTimesTest {

    @Test
    void readsBusyIdleIowaitAndStealFromTheAllCpuLine() {
        // user nice system idle iowait irq softirq steal guest guest_nice
        CpuTimes t = CpuTimes.parse("cpu  100 5 40 800 20 3 2 30 0 0");
        assertThat(t).isEqualTo(new CpuTimes(150, 800, 20, 30));
    }

    @Test
    void sharesAreOfTheTimeBetweenTwoSamples() {
        CpuTimes before = CpuTimes.parse("cpu  100 0 0 100 0 0 0 0 0 0");
        CpuTimes after = CpuTimes.parse("cpu  160 0 10 120 5 0 0 5 0 0");
        assertThat(after.sharesSince(before)).isEqualTo("70 / 20 / 5 / 5 %");
        assertThat(before.sharesSince(before)).isEqualTo("n/a");
    }

    @Test
    void refusesALineThatIsNotTheAllCpuOne() {
        assertThatThrownBy(() -> CpuTimes.parse("cpu0 1 2 3 4 5 6 7 8 9 10"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpu0");
    }

    @Test
    void samplesThisMachineWhereProcStatExists() {
        CpuTimes t = CpuTimes.sample();
        if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/stat"))) {
            assertThat(t).isNotNull();
            assertThat(t.busy() + t.idle()).isPositive();
        } else {
            assertThat(t).isNull();
        }
    }
}
