package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BurstCountTest {

    @Test
    void aWorkerRunsExactlyTheBurstsOperationsBetweenTwoPauses() {
        BurstCount count = new BurstCount(20);
        List<Integer> runs = new ArrayList<>();
        int inRun = 0;
        for (int op = 0; op < 20 * 5; op++) {
            if (count.beginsBurst() && op > 0) {
                runs.add(inRun);
                inRun = 0;
            }
            inRun++;
        }
        runs.add(inRun);
        assertThat(runs).containsExactly(20, 20, 20, 20, 20);
    }

    @Test
    void theFirstOperationBeginsABurst() {
        BurstCount one = new BurstCount(1);
        assertThat(one.beginsBurst()).isTrue();
        assertThat(one.beginsBurst()).isTrue();
        BurstCount three = new BurstCount(3);
        assertThat(List.of(three.beginsBurst(), three.beginsBurst(), three.beginsBurst(), three.beginsBurst()))
                .containsExactly(true, false, false, true);
    }

    @Test
    void aBurstOfNoOperationsIsRefused() {
        assertThatThrownBy(() -> new BurstCount(0)).hasMessageContaining("opsPerBurst must be >= 1, was 0");
    }
}
