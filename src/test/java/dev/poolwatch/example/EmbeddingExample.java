package dev.poolwatch.example;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.server.PoolWatch;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** The README's embedding example, kept compiling and running by EmbeddingExampleTest. */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    /** Opens a pool on {@code db}, serves its metrics on {@code port}, does some work; returns the exporter's URL. */
    public static String run(Path db, int port) throws Exception {
        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).maxReaders(8).build());
             PoolWatch exporter = PoolWatch.builder().pool(pool).port(port).start()) {

            pool.write(c -> c.createStatement().executeUpdate(
                    "CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"));
            pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO note (text) VALUES (?)")) {
                    ps.setString(1, "hello");
                    return ps.executeUpdate();
                }
            });
            int notes = pool.read(c -> {
                try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM note")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            System.out.println(notes + " note(s); metrics at " + exporter.uri() + "/metrics");
            return exporter.uri().toString();
        }
    }

    public static void main(String[] args) throws Exception {
        run(Path.of(args.length > 0 ? args[0] : "app.db"), 9464);
    }
}
