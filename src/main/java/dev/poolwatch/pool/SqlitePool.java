package dev.poolwatch.pool;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SQLite connection pool: one writer connection and a growing and shrinking set of read-only readers that WAL
 * lets run beside it. Threads of one process therefore never meet SQLite's {@code SQLITE_BUSY};
 * {@code busy_timeout} is left for locks held by other processes. See docs/pool.md.
 *
 * <pre>{@code
 * SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(Path.of("app.db")).build());
 * int n = pool.read(c -> { try (var rs = c.createStatement().executeQuery("select count(*) from t")) { rs.next(); return rs.getInt(1); } });
 * pool.write(c -> c.createStatement().executeUpdate("insert into t values (1)"));
 * }</pre>
 */
public final class SqlitePool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SqlitePool.class);
    private static final PoolListener NO_LISTENER = new PoolListener() {};

    /** Durations of the live configuration in nanoseconds, swapped as one so the hot path reads one field. */
    record Timing(long acquireTimeout, long idleTimeout, long maxLifetime, long validation, long leakDetection,
                  boolean leakStackTraces, long leakReclaim, long checkpointInterval, long closeTimeout) {
        static Timing of(SqlitePoolConfig c) {
            return new Timing(c.acquireTimeout().toNanos(), c.idleTimeout().toNanos(), c.maxLifetime().toNanos(),
                    c.validationThreshold().toNanos(), c.leakDetectionThreshold().toNanos(),
                    c.leakDetectionStackTraces(), c.leakReclaimTimeout().toNanos(), c.checkpointInterval().toNanos(),
                    c.closeTimeout().toNanos());
        }
    }

    private final String name;
    private final CopyOnWriteArrayList<PoolListener> listeners = new CopyOnWriteArrayList<>();
    private final Lifecycle lifecycle;
    private final ErrorRecorder errors;
    private final ConnectionBroker broker;
    private final LeakDetector leaks;
    private final WalMaintenance wal;
    private final ScheduledExecutorService housekeeper;
    private final BackgroundCheckpointer checkpointer;
    private final Drain drain;
    private final ExecutorService closer;
    private final LongAdder restarts = new LongAdder();
    private final DataSource writerView;
    private final DataSource readerView;
    private final GroupCommit groupCommit;

    private volatile SqlitePoolConfig config;
    private volatile Timing timing;
    private volatile PoolListener listener = NO_LISTENER;

    private SqlitePool(SqlitePoolConfig config) {
        this.config = config;
        this.timing = Timing.of(config);
        this.name = config.name();
        this.lifecycle = new Lifecycle((from, to) -> listener.stateChanged(from, to));
        this.errors = new ErrorRecorder(() -> listener);
        this.closer = Executors.newSingleThreadExecutor(daemon("poolwatch-" + name + "-closer"));
        ConnectionFactory factory = new ConnectionFactory(config);
        this.broker = new ConnectionBroker(this, factory, lifecycle, errors, closer, config.maxReaders(),
                config.minReaders());
        this.leaks = new LeakDetector(this, broker);
        this.wal = new WalMaintenance(this, broker);
        this.checkpointer = new BackgroundCheckpointer(this, broker, factory, wal);
        this.drain = new Drain(this, lifecycle, broker, errors, closer);
        this.housekeeper = Executors.newSingleThreadScheduledExecutor(daemon("poolwatch-" + name + "-housekeeper"));
        this.writerView = new RoleDataSource(this, broker, Role.WRITER);
        this.readerView = new RoleDataSource(this, broker, Role.READER);
        this.groupCommit = new GroupCommit(name, timeout -> WriterLease.of(broker.borrow(Role.WRITER,
                ProxyConnection.SCOPED | ProxyConnection.MANAGED, timeout, true)), () -> this.config,
                () -> this.listener);
    }

    /**
     * Opens a pool: checks the file, opens the writer (which sets the journal mode) and {@code minReaders} readers.
     * Fails with a message naming the problem if the directory is not writable or the file is not a SQLite database.
     */
    public static SqlitePool open(SqlitePoolConfig config) throws SQLException {
        FileChecks.check(config.path());
        SqlitePool pool = new SqlitePool(config);
        try {
            pool.broker.fillWriter();
            pool.broker.fillReaders();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        long period = config.housekeepingPeriod().toNanos();
        pool.housekeeper.scheduleWithFixedDelay(new Housekeeper(pool, pool.broker, pool.leaks, pool.wal), period,
                period, TimeUnit.NANOSECONDS);
        pool.checkpointer.start();
        log.info("pool '{}' opened on {} (1 writer, {} to {} readers)", pool.name, config.path(),
                config.minReaders(), config.maxReaders());
        return pool;
    }

    private static ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- the caller's API

    /** Runs {@code work} on a read-only connection and gives it back, whatever happens. */
    public <T> T read(SqlFunction<T> work) throws SQLException {
        ProxyConnection p = broker.borrow(Role.READER, ProxyConnection.SCOPED, timing.acquireTimeout(), true);
        try {
            return work.apply(p);
        } finally {
            p.release();
        }
    }

    /**
     * Runs {@code work} as one transaction on the writer: {@code BEGIN IMMEDIATE}, then {@code COMMIT} when it returns
     * or {@code ROLLBACK} when it throws. A nested write on the same thread fails at once.
     */
    public <T> T write(SqlFunction<T> work) throws SQLException {
        return WriteTransaction.run(broker.borrow(Role.WRITER, ProxyConnection.SCOPED | ProxyConnection.MANAGED,
                timing.acquireTimeout(), true), work, errors, listener);
    }

    /**
     * Queues {@code work} for the pool's writer thread, which runs it with other callers' queued work in one
     * transaction, each in its own savepoint (group commit). The future completes with the work's result only after
     * that transaction's {@code COMMIT} returned; with the work's own exception if it threw (only its own changes are
     * undone); with the COMMIT's failure if the batch did not commit; with {@link PoolTimeoutException} if it did not
     * start within acquireTimeout, or {@link PoolClosedException}. Cancelling it withdraws the work only while it is
     * queued. See docs/pool.md for when to use it instead of {@link #write}.
     */
    public <T> java.util.concurrent.CompletableFuture<T> submit(SqlFunction<T> work) {
        return groupCommit.submit(work);
    }

    /**
     * {@link #submit} and wait: returns the work's result once its batch committed, or throws what the future would
     * fail with. Like {@link #write}, it waits at most acquireTimeout for the work to start, and a caller timed out or
     * interrupted before then is withdrawn and its work never runs.
     */
    public <T> T writeBatched(SqlFunction<T> work) throws SQLException {
        return groupCommit.submit(work).await();
    }

    /** Batched work ({@link #submit}) queued and not yet started. */
    public int batchQueueDepth() {
        return groupCommit.queueDepth();
    }

    /** A JDBC view of the writer: {@code getConnection()} waits for it, {@code close()} gives it back. */
    public DataSource writer() {
        return writerView;
    }

    /** A JDBC view of the read-only readers. */
    public DataSource reader() {
        return readerView;
    }

    public String name() {
        return name;
    }

    public SqlitePoolConfig config() {
        return config;
    }

    public PoolState state() {
        return lifecycle.state();
    }

    public void addListener(PoolListener l) {
        listeners.add(l);
        rebuildListener();
    }

    public void removeListener(PoolListener l) {
        listeners.remove(l);
        rebuildListener();
    }

    private void rebuildListener() {
        List<PoolListener> all = List.copyOf(listeners);
        listener = all.isEmpty() ? NO_LISTENER : new Listeners(all);
    }

    /** A snapshot of both roles, the counters and the files' sizes. */
    public PoolStats stats() {
        long last = wal.lastCompleteCheckpointMillis();
        return new PoolStats(name, lifecycle.state(), broker.stats(Role.WRITER), broker.stats(Role.READER),
                errors.snapshot(), leaks.suspected.sum(), leaks.reclaimed.sum(), restarts.sum(), databaseSizeBytes(),
                walSizeBytes(), last == 0 ? null : Instant.ofEpochMilli(last));
    }

    /** Size of the database file in bytes (0 if it does not exist). */
    public long databaseSizeBytes() {
        return FileChecks.sizeOf(config.path());
    }

    /** Size of the {@code -wal} file in bytes (0 if there is none). */
    public long walSizeBytes() {
        return WalMaintenance.walSize(config.path());
    }

    // ---------------------------------------------------------------- live operations

    /**
     * Applies a changed configuration at once. Only maxReaders, minReaders, acquireTimeout, idleTimeout, maxLifetime,
     * validationThreshold, leakDetectionThreshold, leakReclaimTimeout, checkpointInterval and closeTimeout may differ
     * from the running one; anything else is rejected with the field named and nothing changes.
     */
    public void reconfigure(SqlitePoolConfig next) {
        lifecycle.admin.lock();
        try {
            SqlitePoolConfig previous = config;
            String fixed = previous.firstFixedFieldDifferingFrom(next);
            if (fixed != null) {
                throw new IllegalArgumentException(fixed + " cannot change while the pool runs; close and reopen it");
            }
            config = next;
            timing = Timing.of(next);
            if (previous.maxReaders() != next.maxReaders() || previous.minReaders() != next.minReaders()) {
                for (PoolEntry e : broker.readers.limit(next.maxReaders(), next.minReaders())) {
                    broker.closeEntry(e, PoolListener.CloseReason.EVICTED);
                }
                if (previous.maxReaders() != next.maxReaders()) {
                    log.info("pool '{}' readers resized from {} to {}", name, previous.maxReaders(), next.maxReaders());
                    listener.resized(previous.maxReaders(), next.maxReaders());
                }
            }
        } finally {
            lifecycle.admin.unlock();
        }
    }

    /** Changes the reader limit (1 to 1000); minReaders is lowered to fit. Borrowed readers above it close on return. */
    public void resize(int maxReaders) {
        if (maxReaders < 1 || maxReaders > SqlitePoolConfig.MAX_READERS_LIMIT) {
            throw new IllegalArgumentException("maxReaders must be between 1 and " + SqlitePoolConfig.MAX_READERS_LIMIT
                    + ", was " + maxReaders);
        }
        lifecycle.admin.lock();
        try {
            SqlitePoolConfig c = config;
            reconfigure(c.toBuilder().maxReaders(maxReaders).minReaders(Math.min(c.minReaders(), maxReaders)).build());
        } finally {
            lifecycle.admin.unlock();
        }
    }

    /**
     * Closes every idle connection now and every borrowed one when it comes back, like HikariCP's
     * {@code softEvictConnections()}. Returns how many were closed now; new ones open on demand.
     */
    public int evictIdle() {
        lifecycle.admin.lock();
        try {
            broker.generation++;
            int n = broker.closeAllFree(PoolListener.CloseReason.EVICTED);
            log.info("pool '{}' evicted {} idle connections", name, n);
            return n;
        } finally {
            lifecycle.admin.unlock();
        }
    }

    /**
     * Drains and reopens every connection. New callers wait (their acquire timeout still runs) while callers already
     * holding a connection finish, for up to closeTimeout; then every connection is closed and the writer and
     * minReaders reopened. A holder that has not returned by then keeps its connection, which closes when it returns.
     */
    public void restart() throws SQLException {
        drain.restart(took -> {
            restarts.increment();
            log.info("pool '{}' restarted in {} ms", name, TimeUnit.NANOSECONDS.toMillis(took));
            listener.restarted(took);
        });
    }

    /**
     * Takes back, by force, every borrowed connection held longer than leakReclaimTimeout, rolling back its open
     * transaction. Returns how many. With leakReclaimTimeout off (the default) it takes back none: a suspected leak
     * may be a long but legitimate transaction. The pool never reclaims by itself; this call (the reclaim_leaks
     * recovery action, or the application's own policy) decides when.
     */
    public int reclaimSuspectedLeaks() {
        return leaks.reclaimOverdue(timing, System.nanoTime());
    }

    /** Stops handing out connections; callers wait (their acquire timeout still runs), holders carry on. */
    public void pause() {
        lifecycle.pause();
    }

    /** Hands out connections again after {@link #pause()}. */
    public void resume() {
        lifecycle.resume();
    }

    /** Runs {@code PRAGMA wal_checkpoint(mode)} on the writer, queueing like a write. */
    public CheckpointResult checkpoint(CheckpointMode mode) throws SQLException {
        return wal.checkpoint(mode);
    }

    /** Runs {@code PRAGMA optimize} on the writer, which refreshes the planner's statistics where they are stale. */
    public void optimize() throws SQLException {
        wal.optimize();
    }

    /** Runs {@code PRAGMA quick_check} on a reader. Diagnostic only: it never changes the database. */
    public QuickCheckResult quickCheck() throws SQLException {
        return wal.quickCheck();
    }

    /**
     * Whether the writer can be borrowed within {@code timeout} and answers a query: the readiness probe. Probes are
     * not counted as acquires or timeouts, so health checks do not skew the pool's metrics.
     */
    public boolean ping(Duration timeout) {
        try {
            ProxyConnection p = broker.borrow(Role.WRITER, ProxyConnection.SCOPED, timeout.toNanos(), false);
            try {
                return p.raw.isValid(1);
            } finally {
                p.release();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Closes the pool: waiting callers fail with {@link PoolClosedException} at once, holders get closeTimeout to
     * give their connections back, then every connection is closed, including one a restart in flight opened.
     * Calling it again does nothing.
     */
    @Override
    public void close() {
        if (!lifecycle.close()) {
            return;
        }
        groupCommit.close();
        broker.gate.close();
        housekeeper.shutdownNow();
        checkpointer.stop();
        drain.close();
        checkpointer.releaseFiles();
        log.info("pool '{}' closed", name);
    }

    // ---------------------------------------------------------------- for the package

    /** The borrow holding the writer now, or null. */
    ProxyConnection writerHolderForTest() {
        PoolEntry w = broker.writerEntry();
        return w == null ? null : w.borrow;
    }

    /** Reclaims one borrow as leak detection would; true if it was still held. */
    boolean reclaim(ProxyConnection p) {
        return leaks.reclaim(p, System.nanoTime() - p.borrowedNanos);
    }

    Timing timing() {
        return timing;
    }

    PoolListener listener() {
        return listener;
    }

    ConnectionBroker broker() {
        return broker;
    }
}
