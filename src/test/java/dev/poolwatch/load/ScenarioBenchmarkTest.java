package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlFunction;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioBenchmarkTest {

    @TempDir
    Path dir;

    /** bench-0 takes 100 ms an operation, so its bursts straddle the deadline while the other workers wait for it. */
    private static BenchSetup slowFirstWorker(BenchSetup real) {
        return new BenchSetup() {
            @Override
            public String name() {
                return "slow-first-worker";
            }

            @Override
            public <T> T read(SqlFunction<T> work) throws SQLException {
                pause();
                return real.read(work);
            }

            @Override
            public void write(SqlFunction<?> work) throws SQLException {
                pause();
                real.write(work);
            }

            private void pause() {
                if (Thread.currentThread().getName().equals("bench-0")) {
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    @Test
    void aBurstCellIsMeasuredOverItsWindowNotUntilItsLastWorkerStopped() throws Exception {
        Scenario s = new Scenario("burst", 3, Duration.ofMillis(600), 70, true);
        ScenarioBenchmark.Result r = ScenarioBenchmark.run(dir, s, db -> {
            try {
                return slowFirstWorker(BenchSetup.serial(db));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(r.seconds()).isEqualTo(0.6);
        assertThat(r.reads() + r.writes()).as("only bench-0's operations end inside the window, at most one per 100 ms")
                .isBetween(1L, 6L);
        assertThat(r.integrityOk()).isTrue();
    }

    @Test
    void anOperationCountsWhenItBeganAfterTheWarmUpAndEndedByTheDeadline() {
        assertThat(ScenarioBenchmark.inWindow(100, 200, 100, 200)).isTrue();
        assertThat(ScenarioBenchmark.inWindow(99, 150, 100, 200)).as("began in the warm-up").isFalse();
        assertThat(ScenarioBenchmark.inWindow(150, 201, 100, 200)).as("ended after the deadline").isFalse();
    }
}
