package dev.poolwatch.pool;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Copies the WAL back into the database on its own thread and connection, so that the writer's COMMIT seldom runs a
 * checkpoint. SQLite's automatic checkpoint runs inside the COMMIT that crosses {@code wal_autocheckpoint}, with its
 * page copies and two fsyncs, and measured here it took about half of a single writer's time. A PASSIVE checkpoint
 * on another connection takes no write lock, so it runs beside the writer.
 *
 * <p>It cannot reset the WAL, though: only a write transaction that starts after a checkpoint copied every frame
 * restarts the log from its beginning, and under steady writes new frames arrive while a pass copies. So the writer
 * keeps its own automatic checkpoint at {@link #WRITER_BOUND_FACTOR} times {@code walAutoCheckpoint} as the bound: by then this thread has copied
 * nearly everything, the writer's pass copies the few frames since, and its next transaction resets the log. Without
 * that bound the WAL grew past 500 MB in a 4-second test.
 *
 * <p>A pass waits until the WAL holds {@code walAutoCheckpoint} frames no checkpoint has copied (read from the
 * wal-index header), or until {@link #QUIET_PASS_NANOS} after the last pass, rather than running after every
 * commit. Each pass ends in two fsyncs, and each pass that copies everything makes the writer's next transaction
 * restart the log, which fsyncs the WAL inside that writer's COMMIT. Passing after every commit, about 130 fsyncs a
 * second at 25 workers on this machine's disk, made those restart fsyncs queue behind the checkpointer's: writes
 * stalled 40 to 180 ms with every caller queued behind them (burst worst round 125 ms; paced, 17 ms, side by side).
 *
 * <p>The writer's checkpoint at the bound still fsyncs, inside its COMMIT, whatever the background passes left for it:
 * the WAL frames since the last pass, and the database pages of every pass since the log last reset, because SQLite
 * fsyncs the database file only after a pass that no commit overtook, which under steady writes is almost none. That
 * held the writer 7 to 10 ms every 0.2 s in extreme. So near the bound passes run at {@link #CATCH_UP_DIVISOR} times
 * fewer new frames, and each pass ends with an fsync of the database file on this thread; the writer's checkpoint then
 * held it 2 to 4 ms.
 */
final class BackgroundCheckpointer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackgroundCheckpointer.class);

    /** How often to look for new commits while writes arrive, and while nothing is written. */
    private static final long BUSY_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long IDLE_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);
    private static final long BOUND_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** A WAL below the threshold is still copied back this long after the last pass, so a quiet pool catches up. */
    static final long QUIET_PASS_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The writer's own automatic checkpoint, at this many times walAutoCheckpoint, is the one that resets the log,
     * and it runs inside a COMMIT: page copies and two fsyncs, 5 to 20 ms measured. At twice the threshold it hit
     * about 1 % of group-commit batches and set their p99 (12 ms at 25 workers); at eight times, a WAL of at most
     * about 32 MB with the default 1000 pages of 4 KiB, a quarter as often (p99 3.4 ms).
     */
    static final int WRITER_BOUND_FACTOR = 8;
    /** Within one threshold of the writer's bound, a pass is due at this many times fewer new frames. */
    static final int CATCH_UP_DIVISOR = 8;
    /** The wait after a failed pass (the file vanished, the disk is full) before the connection is reopened. */
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SqlitePool pool;
    private final ConnectionBroker broker;
    private final ConnectionFactory factory;
    private final WalMaintenance wal;
    private final Thread thread;
    private volatile boolean stopped;
    private Connection connection;
    private WalIndexHeader walIndex;
    /** The database file, to fsync what this thread's passes copied, and the -shm file the header is mapped from. */
    private HeldFiles.Lease databaseFile;
    private HeldFiles.Lease walIndexFile;
    private int connectionGeneration;
    private long seenWrites;
    private long lastPassNanos = System.nanoTime();

    BackgroundCheckpointer(SqlitePool pool, ConnectionBroker broker, ConnectionFactory factory, WalMaintenance wal) {
        this.pool = pool;
        this.broker = broker;
        this.factory = factory;
        this.wal = wal;
        this.thread = new Thread(this, "poolwatch-" + pool.name() + "-checkpointer");
        thread.setDaemon(true);
    }

    /** The writer's own wal_autocheckpoint for a configured threshold: the bound when this thread does the work. */
    static int writerAutoCheckpoint(SqlitePoolConfig config) {
        int pages = config.walAutoCheckpoint();
        return runsFor(config) ? (int) Math.min((long) WRITER_BOUND_FACTOR * pages, Integer.MAX_VALUE) : pages;
    }

    private static boolean runsFor(SqlitePoolConfig config) {
        return config.journalMode() == SqlitePoolConfig.JournalMode.WAL && config.walAutoCheckpoint() > 0;
    }

    void start() {
        thread.start();
    }

    /** Stops the thread and closes its connection; returns once it has, so the pool's last checkpoint runs alone. */
    void stop() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                LockSupport.parkNanos(this, pass());
            }
        } finally {
            closeConnection();
        }
    }

    /** One look at the WAL; returns how long to wait before the next. */
    private long pass() {
        SqlitePoolConfig config = pool.config();
        long writes = broker.writerReturns;
        if (!runsFor(config) || pool.state() != PoolState.OPEN) {
            closeConnection();
            return IDLE_TICK_NANOS;
        }
        if (writes == seenWrites) {
            return IDLE_TICK_NANOS;
        }
        if (!due(config)) {
            return BUSY_TICK_NANOS;
        }
        if (!wal.passes.tryLock()) {
            return BUSY_TICK_NANOS;
        }
        try {
            CheckpointResult r = checkpoint();
            seenWrites = writes;
            lastPassNanos = System.nanoTime();
            if (r.checkpointedFrames() > 0 && databaseFile != null) {
                databaseFile.channel().force(false);
            }
            // Past the bound it is the writer's turn: its own checkpoint needs the checkpoint lock this pass holds,
            // and only after it has copied the last frames does its next transaction reset the log.
            return r.walFrames() >= writerAutoCheckpoint(config) ? BOUND_BACKOFF_NANOS : BUSY_TICK_NANOS;
        } catch (SQLException | IOException e) {
            log.debug("pool '{}' background checkpoint failed: {}", pool.name(), e.getMessage());
            closeConnection();
            return RETRY_NANOS;
        } finally {
            wal.passes.unlock();
        }
    }

    /** True when the WAL holds a threshold's worth of uncopied frames, or the last pass is long enough ago. */
    private boolean due(SqlitePoolConfig config) {
        if (walIndex == null || connectionGeneration != broker.generation
                || System.nanoTime() - lastPassNanos >= QUIET_PASS_NANOS) {
            return true;
        }
        return due(walIndex.frames(), walIndex.pendingFrames(), config.walAutoCheckpoint(),
                writerAutoCheckpoint(config));
    }

    /**
     * Whether a WAL of {@code frames} frames, {@code pending} of them not yet copied, needs a pass: at a threshold's
     * worth of new frames, and within one threshold of the writer's bound at a {@link #CATCH_UP_DIVISOR}th of that.
     */
    static boolean due(long frames, long pending, int threshold, int writerBound) {
        if (frames < 0 || pending < 0) {
            return true;
        }
        if (frames >= (long) writerBound - threshold) {
            return pending >= Math.max(1, threshold / CATCH_UP_DIVISOR);
        }
        return pending >= threshold;
    }

    private CheckpointResult checkpoint() throws SQLException {
        if (connection == null || connectionGeneration != broker.generation) {
            closeConnection();
            connectionGeneration = broker.generation;
            connection = factory.openCheckpointer();
            holdFiles(pool.config().path());
        }
        return wal.runOn(connection, CheckpointMode.PASSIVE);
    }

    /** Takes the descriptors that pace and sync the passes; without them passes still run, unpaced or unsynced. */
    private void holdFiles(Path db) {
        databaseFile = current(databaseFile, db);
        HeldFiles.Lease shm = current(walIndexFile, Path.of(db + "-shm"));
        if (shm == null) {
            walIndex = null;
        } else if (shm != walIndexFile || walIndex == null) {
            walIndex = WalIndexHeader.of(shm.channel());
        }
        walIndexFile = shm;
    }

    /**
     * {@code lease} if it still holds the file at {@code path}, else a lease on the file there now, or null if there
     * is none. The replaced file's lease closes at once: no connection opened since then locks the old file.
     */
    private HeldFiles.Lease current(HeldFiles.Lease lease, Path path) {
        if (lease != null && !lease.replacedAt(path)) {
            return lease;
        }
        try {
            if (lease != null) {
                lease.close();
            }
            return HeldFiles.lease(path);
        } catch (IOException e) {
            log.debug("pool '{}' cannot hold {}: {}", pool.name(), path, e.toString());
            return null;
        }
    }

    /** Lets go of the files' descriptors; the pool calls it once every connection to them is closed. */
    void releaseFiles() {
        for (HeldFiles.Lease lease : new HeldFiles.Lease[] {databaseFile, walIndexFile}) {
            if (lease != null) {
                try {
                    lease.close();
                } catch (IOException e) {
                    log.debug("pool '{}' could not close a descriptor of its database's files", pool.name(), e);
                }
            }
        }
        databaseFile = null;
        walIndexFile = null;
        walIndex = null;
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("pool '{}' could not close the checkpointer's connection", pool.name(), e);
            }
            connection = null;
        }
    }
}
