package dev.poolwatch.pool;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.SafeStmtPtr;

/**
 * The prepared statements of one physical connection that callers closed, kept (least recently used first out) for
 * the next {@code prepareStatement} of the same SQL on that connection, because SQLite's prepare is a tenth of the
 * native time of a short statement and sqlite-jdbc keeps none itself. A statement goes in only when it can be made
 * exactly as a fresh one: not finalized by the driver, its settings at their defaults, its result set closed, its
 * step reset (a stepped statement pins a read snapshot) and its batch and parameters cleared; otherwise it is closed.
 * Only its borrower uses it, but a careless caller may share a connection between threads, hence the monitor.
 */
final class StatementCache {
    private static final SafeStmtPtr.SafePtrIntFunction<SQLException> RESET = (db, ptr) -> db.reset(ptr);
    private final LinkedHashMap<String, PreparedStatement> idle = new LinkedHashMap<>(16, 0.75f, true);

    /** The idle statement for {@code sql}, now the caller's, or null: prepare a new one. */
    synchronized PreparedStatement take(String sql) {
        return idle.remove(sql);
    }

    /**
     * Keeps {@code ps} for the next caller of {@code sql}, or closes it: when it cannot be made as new, when the cache
     * holds {@code capacity} statements (the least recently used one goes), or when the connection is gone.
     * {@code results} is the last result set the caller got from it, or null.
     */
    void giveBack(String sql, PreparedStatement ps, ResultSet results, int capacity) {
        if (capacity <= 0 || !restore(ps, results)) {
            closeQuietly(ps);
            return;
        }
        List<PreparedStatement> out = null;
        synchronized (this) {
            PreparedStatement displaced = idle.put(sql, ps);
            if (displaced != null) {
                out = new ArrayList<>(1);
                out.add(displaced);
            }
            for (Iterator<PreparedStatement> it = idle.values().iterator(); idle.size() > capacity; ) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(it.next());
                it.remove();
            }
        }
        if (out != null) {
            out.forEach(StatementCache::closeQuietly);
        }
    }

    /** Puts the driver's statement back as prepare left it; false when that is not possible. */
    private static boolean restore(PreparedStatement ps, ResultSet results) {
        try {
            SafeStmtPtr ptr = ((CoreStatement) ps).pointer;
            if (ptr == null || ptr.isClosed()) {
                return false;
            }
            if (results != null) {
                results.close();
            }
            if (ps.getLargeMaxRows() != 0 || ps.getQueryTimeout() != 0 || ps.getFetchSize() != 0
                    || ps.isCloseOnCompletion()) {
                return false;
            }
            // The driver leaves a statement mid-step when its step returned a row without columns (PRAGMA
            // incremental_vacuum(1)): an active statement makes the next COMMIT fail with SQLITE_BUSY.
            ptr.safeRunInt(RESET);
            // The driver binds every parameter from its batch array at each execute: clearing the batch clears them.
            ps.clearBatch();
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Closes every kept statement; for a connection about to close, and when the cache is switched off. */
    void clear() {
        List<PreparedStatement> out;
        synchronized (this) {
            if (idle.isEmpty()) {
                return;
            }
            out = new ArrayList<>(idle.values());
            idle.clear();
        }
        out.forEach(StatementCache::closeQuietly);
    }

    private static void closeQuietly(PreparedStatement ps) {
        try {
            ps.close();
        } catch (SQLException | RuntimeException ignored) {
            // The connection is gone or going: closing it finalizes its statements anyway.
        }
    }

    /** For tests: which SQL strings are kept, least recently used first. */
    synchronized List<String> keptSql() {
        List<String> out = new ArrayList<>(idle.size());
        for (Map.Entry<String, PreparedStatement> e : idle.entrySet()) {
            out.add(e.getKey());
        }
        return out;
    }
}
