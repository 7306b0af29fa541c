package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.poolwatch.pool.WrapperGenerator.Family;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Wrapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratedWrappersAreUpToDateTest {

    @Test
    void everyCheckedInDelegateIsWhatTheGeneratorWritesFromTheRunningJdk() throws IOException {
        for (Family f : WrapperGenerator.FAMILIES) {
            Path file = WrapperGenerator.file(f);
            assertThat(file).as("generated file").exists();
            assertThat(Files.readString(file))
                    .as("%s differs from what WrapperGenerator writes from %s; regenerate with: %s", file,
                            f.iface().getName(), WrapperGenerator.COMMAND)
                    .isEqualTo(WrapperGenerator.generate(f.iface()));
        }
    }

    /** Stands for a future java.sql interface with a new way back to the driver's connection. */
    interface Leaky extends Wrapper {
        Connection getConnection() throws SQLException;
    }

    @Test
    void aMethodThatWouldHandOutTheDriversConnectionMustBeWrittenByHand() {
        assertThatThrownBy(() -> WrapperGenerator.generate(new Family(Leaky.class, "JdbcWrapper", Set.of(), List.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Leaky.getConnection returns a Connection");
    }

    @Test
    void aHandWrittenMethodTheInterfaceNoLongerDeclaresIsReported() {
        Family stale = new Family(ResultSet.class, "JdbcWrapper", Set.of("close", "isClosed", "getStatement", "gone"),
                List.of());
        assertThatThrownBy(() -> WrapperGenerator.generate(stale)).hasMessageContaining("declares no [gone]");
    }
}
