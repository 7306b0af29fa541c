package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SqlitePoolConfigTest {

    private static SqlitePoolConfig.Builder builder() {
        return SqlitePoolConfig.builder(Path.of("app.db"));
    }

    @Test
    void defaultsGiveTwentyConnectionsInWalMode() {
        SqlitePoolConfig c = builder().build();
        assertThat(c.maxReaders()).isEqualTo(19);
        assertThat(c.minReaders()).isEqualTo(1);
        assertThat(c.acquireTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.journalMode()).isEqualTo(SqlitePoolConfig.JournalMode.WAL);
        assertThat(c.synchronous()).isEqualTo(SqlitePoolConfig.Synchronous.NORMAL);
        assertThat(c.foreignKeys()).isTrue();
        assertThat(c.name()).isEqualTo("app");
        assertThat(c.path()).isAbsolute();
    }

    @Test
    void toBuilderCopiesEveryField() {
        SqlitePoolConfig c = builder().name("x").maxReaders(4).minReaders(2).acquireTimeout(Duration.ofMillis(70))
                .leakDetectionThreshold(Duration.ofSeconds(2)).leakReclaimTimeout(Duration.ofSeconds(3)).build();
        assertThat(c.toBuilder().build().toString()).isEqualTo(c.toString());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("maxReaders", b -> b.maxReaders(0), "between 1 and 1000, was 0"),
                bad("maxReaders", b -> b.maxReaders(1001), "was 1001"),
                bad("minReaders", b -> b.maxReaders(3).minReaders(4), "between 0 and 3, was 4"),
                bad("minReaders", b -> b.minReaders(-1), "was -1"),
                bad("acquireTimeout", b -> b.acquireTimeout(Duration.ZERO), "between 1 ms and 1 h, was 0 ms"),
                bad("acquireTimeout", b -> b.acquireTimeout(null), "must be set"),
                bad("idleTimeout", b -> b.idleTimeout(Duration.ofMillis(10)), "between 100 ms and 24 h"),
                bad("maxLifetime", b -> b.maxLifetime(Duration.ofMillis(-5)), "0 (off) or between"),
                bad("validationThreshold", b -> b.validationThreshold(Duration.ofHours(2)), "between 0 ms and 1 h"),
                bad("leakDetectionThreshold", b -> b.leakDetectionThreshold(Duration.ofMillis(50)), "0 (off) or between 100 ms"),
                bad("leakReclaimTimeout", b -> b.leakDetectionThreshold(Duration.ofSeconds(5))
                        .leakReclaimTimeout(Duration.ofSeconds(5)), "longer than leakDetectionThreshold"),
                bad("leakReclaimTimeout", b -> b.leakDetectionThreshold(Duration.ZERO)
                        .leakReclaimTimeout(Duration.ofSeconds(5)), "which must be on"),
                bad("busyTimeout", b -> b.busyTimeout(Duration.ofMinutes(11)), "between 0 ms and 10 min"),
                bad("housekeepingPeriod", b -> b.housekeepingPeriod(Duration.ofMillis(1)), "between 10 ms and 1 min"),
                bad("closeTimeout", b -> b.closeTimeout(Duration.ofMillis(-1)), "between 0 ms and 10 min"),
                bad("checkpointInterval", b -> b.checkpointInterval(Duration.ofMillis(5)), "0 (off) or between 100 ms"),
                bad("name", b -> b.name("has space"), "letters, digits"),
                bad("name", b -> b.name(""), "1 to 64 characters"),
                bad("journalMode", b -> b.journalMode(null), "one of WAL"),
                bad("synchronous", b -> b.synchronous(null), "one of OFF"),
                bad("maxBatchOperations", b -> b.maxBatchOperations(0), "between 1 and 100000, was 0"),
                bad("maxBatchOperations", b -> b.maxBatchOperations(100_001), "was 100001"),
                bad("maxBatchDuration", b -> b.maxBatchDuration(Duration.ofNanos(999_999)), "between 1 ms and 10 s, was 0 ms"),
                bad("maxBatchDuration", b -> b.maxBatchDuration(Duration.ofMillis(10_001)), "between 1 ms and 10 s, was 10001 ms"),
                bad("maxBatchDuration", b -> b.maxBatchDuration(null), "must be set"),
                bad("walAutoCheckpoint", b -> b.walAutoCheckpoint(-1), "between 0 and 1000000, was -1"),
                bad("walAutoCheckpoint", b -> b.walAutoCheckpoint(1_000_001), "was 1000001"),
                bad("statementCacheSize", b -> b.statementCacheSize(-1), "between 0 and 10000, was -1"),
                bad("statementCacheSize", b -> b.statementCacheSize(10_001), "between 0 and 10000, was 10001"));
    }

    private static Arguments bad(String field, UnaryOperator<SqlitePoolConfig.Builder> change, String detail) {
        return Arguments.of(field, change, detail);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("badValues")
    void badValueIsRejectedWithTheFieldAndRangeNamed(String field, UnaryOperator<SqlitePoolConfig.Builder> change,
                                                     String detail) {
        assertThatThrownBy(() -> change.apply(builder()).build())
                .isInstanceOfAny(IllegalArgumentException.class, NullPointerException.class)
                .hasMessageStartingWith(field + " ")
                .hasMessageContaining(detail);
    }

    @Test
    void statementCacheSizeAcceptsItsBoundsAndDefaultsTo64() {
        assertThat(builder().build().statementCacheSize()).isEqualTo(64);
        assertThat(builder().statementCacheSize(0).build().statementCacheSize()).isZero();
        assertThat(builder().statementCacheSize(10_000).build().statementCacheSize()).isEqualTo(10_000);
        assertThat(builder().statementCacheSize(7).build().toBuilder().build().statementCacheSize()).isEqualTo(7);
    }

    @Test
    void walAutoCheckpointAcceptsItsBoundsAndTheWriterKeepsEightTimesItBehindTheBackgroundCheckpointer() {
        assertThat(builder().build().walAutoCheckpoint()).isEqualTo(1000);
        SqlitePoolConfig off = builder().walAutoCheckpoint(0).build();
        SqlitePoolConfig top = builder().walAutoCheckpoint(1_000_000).build();
        assertThat(BackgroundCheckpointer.writerAutoCheckpoint(off)).isZero();
        assertThat(BackgroundCheckpointer.writerAutoCheckpoint(builder().build())).isEqualTo(8_000);
        assertThat(BackgroundCheckpointer.writerAutoCheckpoint(top)).isEqualTo(8_000_000);
        assertThat(BackgroundCheckpointer.writerAutoCheckpoint(builder().journalMode(
                SqlitePoolConfig.JournalMode.DELETE).walAutoCheckpoint(500).build()))
                .as("no background checkpointer outside WAL mode").isEqualTo(500);
    }

    @Test
    void zeroSwitchesOptionalDurationsOff() {
        SqlitePoolConfig c = builder().maxLifetime(Duration.ZERO).leakDetectionThreshold(Duration.ZERO)
                .checkpointInterval(Duration.ZERO).build();
        assertThat(c.maxLifetime()).isZero();
        assertThat(c.leakDetectionThreshold()).isZero();
    }

    @Test
    void batchLimitsDefaultToAThousandOperationsOrTenMillisecondsAndAcceptTheirBounds() {
        SqlitePoolConfig c = builder().build();
        assertThat(c.maxBatchOperations()).isEqualTo(1000);
        assertThat(c.maxBatchDuration()).isEqualTo(Duration.ofMillis(10));
        SqlitePoolConfig low = builder().maxBatchOperations(1).maxBatchDuration(Duration.ofMillis(1)).build();
        assertThat(low.maxBatchOperations()).isEqualTo(1);
        assertThat(low.maxBatchDuration()).isEqualTo(Duration.ofMillis(1));
        SqlitePoolConfig high = builder().maxBatchOperations(100_000).maxBatchDuration(Duration.ofSeconds(10)).build();
        assertThat(high.toBuilder().build().toString()).isEqualTo(high.toString())
                .contains("maxBatchOperations=100000", "maxBatchDuration=PT10S");
    }
}
