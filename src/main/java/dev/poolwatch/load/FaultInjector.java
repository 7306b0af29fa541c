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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * Breaks a demo pool on purpose, so a new user can watch the whole loop (alert, routing, recovery) in minutes. Each
 * fault ends by itself after its duration or when ended explicitly, and every end is reported to the listener, so
 * the audit trail shows it however it came. Never attached outside {@code poolwatch demo} unless an embedding
 * application adds it on purpose. docs/recovery.md#demo-faults says what each one is sized to show.
 */
public final class FaultInjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);
    /** How long a slow query holds its reader: far below any leak threshold, far above the 50 ms latency target. */
    static final Duration SLOW_QUERY = Duration.ofSeconds(2);
    /** What wal_bloat grows the WAL to: a quarter above the 256 MiB of SqlitePoolWalTooLarge. */
    static final long WAL_BLOAT_BYTES = 320L * 1024 * 1024;
    private static final int BALLAST_ROWS = 16;
    private static final int BALLAST_ROW_BYTES = 64 * 1024;
    private static final int SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

    /** The faults; {@link #tag()} is the name in the URL. */
    public enum Fault {
        /** Borrow every reader and never give them back: the pool is exhausted until they are reclaimed. */
        LEAK,
        /** A connection outside the pool holds an EXCLUSIVE lock, as another process would. */
        LOCK,
        /** Slow queries on twice as many threads as there are readers keep every reader busy, so acquires wait. */
        SLOW,
        /** The writer's checkpoints stall while a burst of writes grows the WAL past the alert threshold. */
        WAL_BLOAT;

        /**
         * Three minutes: the leak fault needs the 60 s leak threshold, the alert's {@code for:} and Alertmanager's
         * group_wait before reclaim_leaks runs, with a margin; the others use the same length to show their alert,
         * action and heal while the fault is still on.
         */
        public static final Duration DEFAULT_DURATION = Duration.ofMinutes(3);

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

    /** Told of every end of a fault: {@code cause} is "timer", "request", "restart" or "shutdown". */
    public interface EndListener {
        void ended(Fault fault, String cause, Duration ran);
    }

    private final SqlitePool pool;
    private final EndListener listener;
    private final ScheduledExecutorService timer;
    private final Map<Fault, Runnable> enders = new EnumMap<>(Fault.class);
    private final Map<Fault, ScheduledFuture<?>> expiries = new EnumMap<>(Fault.class);
    private final Map<Fault, Long> startedNanos = new EnumMap<>(Fault.class);

    /** With no one told of the ends (the log still says). */
    public FaultInjector(SqlitePool pool) {
        this(pool, (fault, cause, ran) -> { });
    }

    public FaultInjector(SqlitePool pool, EndListener listener) {
        this.pool = pool;
        this.listener = listener;
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
        end(fault, "restart");
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
        startedNanos.put(fault, System.nanoTime());
        expiries.put(fault, timer.schedule(() -> end(fault, "timer"), duration.toMillis(), TimeUnit.MILLISECONDS));
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

    private Connection outsideConnection() throws SQLException {
        SQLiteConfig c = new SQLiteConfig();
        // The demo's own writer holds the lock for a moment now and then: wait for it like another process would,
        // or the fault fails with SQLITE_BUSY whenever it is pressed during a write.
        c.setBusyTimeout(5000);
        return c.createConnection("jdbc:sqlite:" + pool.config().path());
    }

    private Map<String, Object> lock() throws SQLException {
        Connection outside = outsideConnection();
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

    /**
     * Each worker holds a reader for {@link #SLOW_QUERY} per query, as a slow statement would, without burning the
     * CPU the rest of the demo needs. Twice the readers plus two keeps every reader busy even after one resize_up.
     */
    private Map<String, Object> slow() {
        int threads = 2 * pool.config().maxReaders() + 2;
        List<Thread> workers = new ArrayList<>();
        AtomicBoolean stopped = new AtomicBoolean();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!stopped.get()) {
                    try {
                        pool.read(c -> {
                            try (Statement s = c.createStatement();
                                 ResultSet rs = s.executeQuery("SELECT count(*) FROM sqlite_master")) {
                                rs.next();
                            }
                            try {
                                if (!stopped.get()) {
                                    Thread.sleep(SLOW_QUERY.toMillis());
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return null;
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
            workers.forEach(Thread::interrupt);
            joinAll(workers);
        });
        return Map.of("slowQueryThreads", threads, "secondsPerQuery", SLOW_QUERY.toSeconds());
    }

    /**
     * Turns off the writer's automatic checkpoints (SQLite's wal_autocheckpoint and the pool's periodic one), as a
     * stalled checkpointer would, and rewrites a small ballast table until the WAL passes {@link #WAL_BLOAT_BYTES}.
     * The WAL then stays that large until a checkpoint empties it; the end of the fault turns checkpoints back on.
     */
    private Map<String, Object> walBloat() throws SQLException {
        Duration interval = pool.config().checkpointInterval();
        pool.reconfigure(pool.config().toBuilder().checkpointInterval(Duration.ZERO).build());
        try {
            autoCheckpoint(0);
            pool.write(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE IF NOT EXISTS demo_ballast (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
                }
                return null;
            });
        } catch (SQLException e) {
            restoreCheckpoints(interval);
            throw e;
        }
        AtomicBoolean stopped = new AtomicBoolean();
        AtomicInteger transactions = new AtomicInteger();
        Thread burst = new Thread(() -> {
            byte[] blob = new byte[BALLAST_ROW_BYTES];
            try {
                while (!stopped.get() && pool.walSizeBytes() < WAL_BLOAT_BYTES) {
                    blob[0]++;
                    pool.write(c -> {
                        try (PreparedStatement ps = c.prepareStatement(
                                "INSERT OR REPLACE INTO demo_ballast (id, data) VALUES (?, ?)")) {
                            for (int id = 1; id <= BALLAST_ROWS; id++) {
                                ps.setInt(1, id);
                                ps.setBytes(2, blob);
                                ps.addBatch();
                            }
                            return ps.executeBatch().length;
                        }
                    });
                    transactions.incrementAndGet();
                }
                log.info("demo fault 'wal_bloat': WAL at {} MiB after {} ballast transactions",
                        pool.walSizeBytes() >> 20, transactions.get());
            } catch (SQLException e) {
                log.warn("demo fault 'wal_bloat' stopped writing: {}", e.getMessage());
            }
        }, "poolwatch-fault-wal-bloat");
        burst.setDaemon(true);
        burst.start();
        enders.put(Fault.WAL_BLOAT, () -> {
            stopped.set(true);
            joinAll(List.of(burst));
            restoreCheckpoints(interval);
            try {
                pool.write(c -> {
                    try (Statement s = c.createStatement()) {
                        s.execute("DELETE FROM demo_ballast");
                    }
                    return null;
                });
            } catch (SQLException e) {
                log.debug("could not empty the ballast table", e);
            }
        });
        Map<String, Object> what = new LinkedHashMap<>();
        what.put("walTargetBytes", WAL_BLOAT_BYTES);
        what.put("checkpoints", "stalled until the fault ends");
        return what;
    }

    private void autoCheckpoint(int pages) {
        // The pool's own setting: a caller's PRAGMA would not outlive its borrow.
        pool.reconfigure(pool.config().toBuilder().walAutoCheckpoint(pages).build());
    }

    private void restoreCheckpoints(Duration interval) {
        autoCheckpoint(SQLITE_DEFAULT_AUTOCHECKPOINT);
        pool.reconfigure(pool.config().toBuilder().checkpointInterval(interval).build());
    }

    private static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Ends one fault at a caller's request; true if it was running. */
    public boolean end(Fault fault) {
        return end(fault, "request");
    }

    private synchronized boolean end(Fault fault, String cause) {
        ScheduledFuture<?> expiry = expiries.remove(fault);
        if (expiry != null) {
            expiry.cancel(false);
        }
        Runnable ender = enders.remove(fault);
        if (ender == null) {
            return false;
        }
        ender.run();
        Duration ran = Duration.ofNanos(System.nanoTime() - startedNanos.remove(fault));
        log.info("demo fault '{}' ended ({}) after {} s", fault.tag(), cause, ran.toSeconds());
        listener.ended(fault, cause, ran);
        return true;
    }

    /** Ends every fault at a caller's request. */
    public List<String> endAll() {
        return endAll("request");
    }

    private synchronized List<String> endAll(String cause) {
        List<String> ended = new ArrayList<>();
        for (Fault f : Fault.values()) {
            if (end(f, cause)) {
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
        endAll("shutdown");
        timer.shutdownNow();
    }
}
