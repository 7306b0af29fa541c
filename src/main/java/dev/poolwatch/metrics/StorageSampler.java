package dev.poolwatch.metrics;

import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples what costs a system call or a query to learn, on a background thread and never on the scrape: free space on
 * the database's file system, and {@code PRAGMA page_count}, {@code freelist_count} and {@code page_size}. Gauges read
 * the last sample; they are NaN until the first one. One daemon thread serves every pool of the process.
 */
final class StorageSampler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StorageSampler.class);
    private static final ScheduledThreadPoolExecutor SCHEDULER = scheduler();

    private final SqlitePool pool;
    private final ScheduledFuture<?> task;
    private volatile double freeBytes = Double.NaN;
    private volatile double sizeBytes = Double.NaN;
    private volatile double pages = Double.NaN;
    private volatile double freelistPages = Double.NaN;
    private volatile double pageSizeBytes = Double.NaN;

    StorageSampler(SqlitePool pool, Meters meters, Tags poolTag, Duration interval) {
        this.pool = pool;
        meters.gauge("sqlite.pool.filesystem.free", "Bytes the pool may still write on the database's file system"
                + " (usable space), sampled in the background", poolTag, "bytes", () -> freeBytes);
        meters.gauge("sqlite.pool.filesystem.size", "Size of the database's file system, sampled in the background",
                poolTag, "bytes", () -> sizeBytes);
        meters.gauge("sqlite.pool.pages", "Pages of the database file (PRAGMA page_count), sampled in the background",
                poolTag, null, () -> pages);
        meters.gauge("sqlite.pool.freelist.pages", "Unused pages inside the database file (PRAGMA freelist_count),"
                + " sampled in the background", poolTag, null, () -> freelistPages);
        meters.gauge("sqlite.pool.page.size", "Size of one database page (PRAGMA page_size)", poolTag, "bytes",
                () -> pageSizeBytes);
        this.task = SCHEDULER.scheduleWithFixedDelay(this::sample, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ScheduledThreadPoolExecutor scheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "poolwatch-storage-sampler");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }

    private void sample() {
        sampleFileSystem();
        if (pool.state() != PoolState.OPEN) {
            return;
        }
        // Never queue behind the application: a saturated reader lane keeps the previous sample.
        PoolStats.RoleStats readers = pool.stats().reader();
        if (readers.idle() == 0 && readers.total() >= readers.max()) {
            return;
        }
        try {
            long[] v = pool.read(c -> {
                try (Statement s = c.createStatement()) {
                    return new long[] {pragma(s, "page_count"), pragma(s, "freelist_count"), pragma(s, "page_size")};
                }
            });
            pages = v[0];
            freelistPages = v[1];
            pageSizeBytes = v[2];
        } catch (SQLException | RuntimeException e) {
            log.debug("pool {}: cannot read page counts: {}", pool.name(), e.toString());
        }
    }

    private void sampleFileSystem() {
        Path db = pool.config().path().toAbsolutePath();
        try {
            FileStore store = Files.getFileStore(Files.exists(db) ? db : db.getParent());
            freeBytes = store.getUsableSpace();
            sizeBytes = store.getTotalSpace();
        } catch (IOException | RuntimeException e) {
            log.debug("pool {}: cannot read the file system of {}: {}", pool.name(), db, e.toString());
        }
    }

    private static long pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    @Override
    public void close() {
        task.cancel(false);
    }
}
