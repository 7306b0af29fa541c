package dev.poolwatch.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.PoolStats;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rise rule, pinned on both sides of its factor of two. */
class TrialVerdictTest {

    private static final Health ONE_PERCENT = new Health(60_000, 1_000, 10, 10);

    @Test
    void twiceTheBaselineRateIsStillKeptAndOneMoreRises() {
        assertThat(TrialVerdict.judge(ONE_PERCENT, new Health(1_000, 1_000, 20, 0)).rose()).isFalse();
        TrialVerdict over = TrialVerdict.judge(ONE_PERCENT, new Health(1_000, 1_000, 21, 0));
        assertThat(over.rose()).isTrue();
        assertThat(over.reason()).startsWith("timeouts rose: 21 in 1000").contains("the 20.0 allowed");
        assertThat(TrialVerdict.judge(ONE_PERCENT, new Health(1_000, 1_000, 0, 20)).rose()).isFalse();
        assertThat(TrialVerdict.judge(ONE_PERCENT, new Health(1_000, 1_000, 0, 21)).reason())
                .startsWith("errors rose: 21");
    }

    @Test
    void cleanOrIdleBaselineRisesWithTheFirstTimeoutOrError() {
        Health clean = new Health(60_000, 500, 0, 0);
        Health idle = new Health(60_000, 0, 0, 0);
        assertThat(TrialVerdict.judge(clean, new Health(1_000, 800, 0, 0)).rose()).isFalse();
        assertThat(TrialVerdict.judge(clean, new Health(1_000, 800, 1, 0)).rose()).isTrue();
        assertThat(TrialVerdict.judge(idle, new Health(1_000, 800, 0, 1)).rose()).isTrue();
    }

    @Test
    void callersOwnStatementErrorsAreNotCounted() {
        PoolStats.RoleStats role = new PoolStats.RoleStats(1, 0, 1, 0, 1, 1, 100, 2, 1, 0, 0);
        PoolStats stats = new PoolStats("app", PoolState.OPEN, role, role, Map.of(ErrorKind.APPLICATION, 50L,
                ErrorKind.CONSTRAINT, 7L, ErrorKind.BUSY, 3L), 0, 0, 0, 0, 0, null);
        assertThat(Health.of(stats, 0)).isEqualTo(new Health(0, 204, 4, 3));
    }
}
