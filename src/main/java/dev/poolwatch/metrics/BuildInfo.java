package dev.poolwatch.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code poolwatch_build_info{version, sqlite_version} 1}: which poolwatch and which SQLite library a process runs,
 * to join onto other series ({@code * on (instance) group_left (version) poolwatch_build_info}).
 */
public final class BuildInfo implements MeterBinder {

    /** The jar's version, or "development" when run from classes. */
    public static String version() {
        String v = BuildInfo.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** The version of the SQLite library sqlite-jdbc loaded, or "unknown" if it cannot be loaded. */
    public static String sqliteVersion() {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sqlite_version()")) {
            return rs.next() ? rs.getString(1) : "unknown";
        } catch (SQLException e) {
            return "unknown";
        }
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("poolwatch.build.info", () -> 1)
                .description("Always 1; the labels name the poolwatch and SQLite versions of the process")
                .tags("version", version(), "sqlite_version", sqliteVersion())
                .register(registry);
    }
}
