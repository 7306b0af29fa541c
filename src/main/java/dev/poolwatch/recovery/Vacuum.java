package dev.poolwatch.recovery;

import dev.poolwatch.pool.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gives free-list pages back to the file system with {@code PRAGMA incremental_vacuum}, which SQLite only honours
 * when the database was created (or last VACUUMed) with {@code auto_vacuum=INCREMENTAL}. Pages are freed in batches,
 * each its own write transaction, so writers queued behind the action wait for one batch, not for all of them. A full
 * {@code VACUUM} is never run: it holds the write lock while it copies the whole database and needs up to twice its
 * size in free disk.
 */
final class Vacuum {

    /** Pages per write transaction (4 MiB of 4 KiB pages); each batch holds the writer for well under a second. */
    static final int BATCH_PAGES = 1_000;
    /** The action stops after this long even if pages remain; the alert asks again while the share stays high. */
    static final long TIME_LIMIT_NANOS = 10_000_000_000L;

    private Vacuum() {
    }

    static Map<String, Object> incremental(SqlitePool pool) throws SQLException {
        long begin = System.nanoTime();
        String mode = pool.read(c -> autoVacuum(c));
        long before = pool.read(c -> freelist(c));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("autoVacuum", mode);
        out.put("freelistPagesBefore", before);
        if (!"incremental".equals(mode)) {
            out.put("vacuumed", false);
            out.put("why", "auto_vacuum is " + mode + ", so incremental_vacuum does nothing; only a VACUUM (which takes"
                    + " the write lock for the whole copy and up to twice the file's size in free disk) shrinks the"
                    + " file: see the SqlitePoolFragmented runbook");
            return out;
        }
        long remaining = before;
        int batches = 0;
        while (remaining > 0 && System.nanoTime() - begin < TIME_LIMIT_NANOS) {
            long batch = Math.min(remaining, BATCH_PAGES);
            remaining = pool.write(c -> {
                // SQLite frees one page per step of incremental_vacuum(N), and the driver steps a statement that
                // returns no columns once: incremental_vacuum(1000) through JDBC frees one page. So: N statements.
                try (PreparedStatement ps = c.prepareStatement("PRAGMA incremental_vacuum(1)")) {
                    for (long i = 0; i < batch; i++) {
                        ps.execute();
                    }
                }
                return freelist(c);
            });
            batches++;
        }
        out.put("vacuumed", true);
        out.put("batches", batches);
        out.put("freelistPagesAfter", remaining);
        out.put("durationMs", (System.nanoTime() - begin) / 1_000_000);
        return out;
    }

    private static String autoVacuum(Connection c) throws SQLException {
        switch ((int) single(c, "PRAGMA auto_vacuum")) {
            case 0: return "none";
            case 1: return "full";
            case 2: return "incremental";
            default: return "unknown";
        }
    }

    private static long freelist(Connection c) throws SQLException {
        return single(c, "PRAGMA freelist_count");
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
