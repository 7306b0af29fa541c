package dev.poolwatch.pool;

import static dev.poolwatch.pool.PoolTestSupport.config;
import static dev.poolwatch.pool.PoolTestSupport.count;
import static dev.poolwatch.pool.PoolTestSupport.insert;
import static dev.poolwatch.pool.PoolTestSupport.openWithTable;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoleStatsTest {

    @TempDir
    Path dir;

    @Test
    void eachRoleCountsItsOwnAcquiresAndConnectionsAndItsBorrowsWhileTheyAreHeld() throws Exception {
        try (SqlitePool pool = openWithTable(config(dir).maxReaders(3).minReaders(0).build())) {
            PoolStats before = pool.stats();
            for (int i = 0; i < 3; i++) {
                count(pool);
            }
            for (int i = 0; i < 2; i++) {
                long id = i;
                pool.write(c -> {
                    insert(c, id);
                    return null;
                });
            }
            PoolStats after = pool.stats();
            assertThat(after.reader().acquires() - before.reader().acquires()).isEqualTo(3);
            assertThat(after.writer().acquires() - before.writer().acquires()).isEqualTo(2);
            assertThat(after.writer().connectionsCreated()).isEqualTo(1);
            assertThat(after.reader().connectionsCreated()).isEqualTo(1);
            assertThat(after.writer().max()).isEqualTo(1);
            assertThat(after.reader().max()).isEqualTo(3);

            try (Connection r = pool.reader().getConnection()) {
                Thread.sleep(5);
                PoolStats held = pool.stats();
                assertThat(held.reader().active()).isEqualTo(1);
                assertThat(held.reader().total()).isEqualTo(held.reader().active() + held.reader().idle());
                assertThat(held.reader().oldestBorrowNanos()).isGreaterThanOrEqualTo(5_000_000L);
                assertThat(held.writer().active()).isZero();
                assertThat(held.writer().oldestBorrowNanos()).isZero();
            }
            try (Connection w = pool.writer().getConnection()) {
                PoolStats held = pool.stats();
                assertThat(held.writer().active()).isEqualTo(1);
                assertThat(held.writer().idle()).isZero();
                assertThat(held.writer().total()).isEqualTo(1);
                assertThat(held.reader().active()).isZero();
            }
        }
    }
}
