package dev.poolwatch.load;

import dev.poolwatch.pool.SqlitePool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Breaks a demo pool on purpose, so a new user can watch the whole loop (alert, routing, recovery) in minutes. Each
 * fault ends by itself after its duration or when ended explicitly. Never attached outside {@code poolwatch demo}
 * unless an embedding application adds it on purpose.
 */
public final class FaultInjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

    /** The faults; {@link #tag()} is the name in the URL. */
    public enum Fault {
        /** Borrow every reader and never give them back: the pool is exhausted until they are reclaimed. */
        LEAK,
        /** A connection outside the pool holds an EXCLUSIVE lock, as another process would. */
        LOCK,
        /** Slow queries keep readers busy, so acquires wait. */
        SLOW,
        /** A reader outside the pool pins an old snapshot while a burst of writes grows the WAL. */
        WAL_BLOAT;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }

        public static Fault fromTag(String tag) {
            for (Fault f : values()) {
                if (f.tag.equals(tag)) {
                    return f;
                }
            }
            return null;
        }
    }

    private final SqlitePool pool;
    private final ScheduledExecutorService timer;
    private final Map<Fault, Runnable> enders = new EnumMap<>(Fault.class);
    private final Map<Fault, ScheduledFuture<?>> expiries = new EnumMap<>(Fault.class);

    public FaultInjector(SqlitePool pool) {
        this.pool = pool;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-faults");
            t.setDaemon(true);
            return t;
        });
    }

    /** The faults running now. */
    public synchronized List<String> active() {
        return enders.keySet().stream().map(Fault::tag).toList();
    }

    /** Starts a fault for {@code duration}; starting one already running restarts it. */
    public synchronized Map<String, Object> start(Fault fault, Duration duration) throws SQLException {
        end(fault);
        Map<String, Object> what;
        switch (fault) {
            case LEAK:
                what = leak();
                break;
            case LOCK:
                what = lock();
                break;
            case SLOW:
                what = slow();
                break;
            default:
                what = walBloat();
                break;
        }
        expiries.put(fault, timer.schedule(() -> end(fault), duration.toMillis(), TimeUnit.MILLISECONDS));
        log.warn("demo fault '{}' injected for {}: {}", fault.tag(), duration, what);
        return what;
    }

    private Map<String, Object> leak() {
        List<Connection> leaked = new ArrayList<>();
        int max = pool.config().maxReaders();
        for (int i = 0; i < max; i++) {
            try {
                leaked.add(pool.reader().getConnection());
            } catch (SQLException e) {
                break;
            }
        }
        enders.put(Fault.LEAK, () -> leaked.forEach(FaultInjector::closeQuietly));
        return Map.of("leakedReaders", leaked.size());
    }

    private Connection outsideConnection(boolean readOnly) throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        c.setReadOnly(readOnly);
        c.setBusyTimeout(0);
        return c.createConnection("jdbc:sqlite:" + pool.config().path());
    }

    private Map<String, Object> lock() throws SQLException {
        Connection outside = outsideConnection(false);
        try (Statement s = outside.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
        } catch (SQLException e) {
            closeQuietly(outside);
            throw e;
        }
        enders.put(Fault.LOCK, () -> {
            try (Statement s = outside.createStatement()) {
                s.execute("ROLLBACK");
            } catch (SQLException e) {
                log.debug("rollback of the lock fault failed", e);
            }
            closeQuietly(outside);
        });
        return Map.of("lock", "EXCLUSIVE, held by a connection outside the pool");
    }

    private Map<String, Object> slow() {
        int threads = Math.max(1, pool.config().maxReaders() + 2);
        List<Thread> workers = new ArrayList<>();
        AtomicBoolean stopped = new AtomicBoolean();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!stopped.get()) {
                    try {
                        pool.read(c -> {
                            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
                                            + " SELECT count(*) FROM n")) {
                                return rs.next();
                            }
                        });
                    } catch (SQLException e) {
                        log.debug("slow query ended: {}", e.getMessage());
                    }
                }
            }, "poolwatch-fault-slow-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        enders.put(Fault.SLOW, () -> {
            stopped.set(true);
            for (Thread t : workers) {
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
        return Map.of("slowQueryThreads", threads);
    }

    private Map<String, Object> walBloat() throws SQLException {
        Connection reader = outsideConnection(true);
        try (Statement s = reader.createStatement()) {
            reader.setAutoCommit(false);
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                rs.next();
            }
        } catch (SQLException e) {
            closeQuietly(reader);
            throw e;
        }
        byte[] blob = new byte[64 * 1024];
        int rows = 0;
        pool.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS demo_ballast (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
            }
            return null;
        });
        for (int batch = 0; batch < 10; batch++) {
            rows += pool.write(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO demo_ballast (data) VALUES (?)")) {
                    for (int i = 0; i < 50; i++) {
                        ps.setBytes(1, blob);
                        ps.addBatch();
                    }
                    return ps.executeBatch().length;
                }
            });
        }
        pool.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM demo_ballast");
            }
            return null;
        });
        enders.put(Fault.WAL_BLOAT, () -> closeQuietly(reader));
        return Map.of("ballastRowsWritten", rows, "walBytes", pool.walSizeBytes());
    }

    /** Ends one fault; true if it was running. */
    public synchronized boolean end(Fault fault) {
        ScheduledFuture<?> expiry = expiries.remove(fault);
        if (expiry != null) {
            expiry.cancel(false);
        }
        Runnable ender = enders.remove(fault);
        if (ender == null) {
            return false;
        }
        ender.run();
        log.info("demo fault '{}' ended", fault.tag());
        return true;
    }

    /** Ends every fault. */
    public synchronized List<String> endAll() {
        List<String> ended = new ArrayList<>();
        for (Fault f : Fault.values()) {
            if (end(f)) {
                ended.add(f.tag());
            }
        }
        return ended;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            log.debug("closing a fault connection failed", e);
        }
    }

    @Override
    public void close() {
        endAll();
        timer.shutdownNow();
    }
}
