package dev.poolwatch.store;

import dev.poolwatch.pool.SqlitePool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Brings the store's schema up to date with the SQL files in {@code dev/poolwatch/store/migration}, in order, recording the version
 * reached in {@code PRAGMA user_version}. Each file runs in one transaction with its version bump, so a failed
 * migration leaves the previous version intact.
 */
final class Migrations {

    /** In order; a file's position (1-based) is the schema version it produces. Never edit a shipped file. */
    static final List<String> FILES = List.of("V1__events_and_config.sql", "V2__state.sql",
            "V3__config_versions.sql");

    private Migrations() {
    }

    static int apply(SqlitePool pool) throws SQLException {
        int current = pool.read(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        if (current > FILES.size()) {
            throw new SQLException("event store " + pool.config().path() + " has schema version " + current
                    + ", newer than this poolwatch knows (" + FILES.size() + "); use a newer poolwatch or another file");
        }
        for (int version = current + 1; version <= FILES.size(); version++) {
            String sql = load(FILES.get(version - 1));
            int target = version;
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    for (String statement : statements(sql)) {
                        s.execute(statement);
                    }
                    s.execute("PRAGMA user_version = " + target);
                }
                return null;
            });
        }
        return FILES.size();
    }

    /** Splits on semicolons at line ends; migrations keep to that so no SQL parser is needed. */
    static List<String> statements(String sql) {
        StringBuilder clean = new StringBuilder();
        for (String line : sql.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                clean.append(line).append('\n');
            }
        }
        return java.util.Arrays.stream(clean.toString().split(";\\s*\n"))
                .map(String::strip).filter(s -> !s.isEmpty()).map(s -> s.endsWith(";") ? s.substring(0, s.length() - 1) : s)
                .toList();
    }

    private static String load(String file) {
        // Beside this class, not in db/migration: Flyway and Spring Boot scan that folder of every jar by default and
        // would take these files for the application's own migrations.
        String resource = "migration/" + file;
        try (InputStream in = Migrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("migration " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + resource, e);
        }
    }
}
