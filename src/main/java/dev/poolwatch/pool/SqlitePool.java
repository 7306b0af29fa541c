package dev.poolwatch.pool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.sqlite.SQLiteConnection;

/**
 * A SQLite connection pool: one writer connection that callers queue for in FIFO order, and a growing and shrinking
 * set of read-only readers that WAL lets run beside it. Threads of one process therefore never meet SQLite's
 * {@code SQLITE_BUSY}; {@code busy_timeout} is left for locks held by other processes. See docs/pool.md.
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
    /** SQLite result codes for the file checks, so they are classified like SQLite's own errors. */
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** Durations of the live configuration in nanoseconds, swapped as one so the hot path reads one field. */
    private record Timing(long acquireTimeout, long idleTimeout, long maxLifetime, long validation, long leakDetection,
                          boolean leakStackTraces, long leakReclaim, long checkpointInterval, long closeTimeout) {
        static Timing of(SqlitePoolConfig c) {
            return new Timing(c.acquireTimeout().toNanos(), c.idleTimeout().toNanos(), c.maxLifetime().toNanos(),
                    c.validationThreshold().toNanos(), c.leakDetectionThreshold().toNanos(),
                    c.leakDetectionStackTraces(), c.leakReclaimTimeout().toNanos(), c.checkpointInterval().toNanos(),
                    c.closeTimeout().toNanos());
        }
    }

    private final String name;
    private final ConnectionFactory factory;
    private final Lane writerLane;
    private final Lane readerLane;
    private final AtomicReference<PoolState> state = new AtomicReference<>(PoolState.OPEN);
    private final ReentrantLock gate = new ReentrantLock();
    private final Condition resumed = gate.newCondition();
    private final ReentrantLock admin = new ReentrantLock();
    private final CopyOnWriteArrayList<PoolListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService housekeeper;
    private final ExecutorService closer;
    private final Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);
    private final LongAdder leaksSuspected = new LongAdder();
    private final LongAdder leaksReclaimed = new LongAdder();
    private final LongAdder restarts = new LongAdder();
    private final DataSource writerView;
    private final DataSource readerView;
    private final GroupCommit groupCommit;

    private volatile SqlitePoolConfig config;
    private volatile Timing timing;
    private volatile PoolListener listener = NO_LISTENER;
    private volatile boolean paused;
    private volatile int generation;
    private volatile long lastCompleteCheckpointMillis;
    private volatile long lastCheckpointTryNanos = System.nanoTime();

    private SqlitePool(SqlitePoolConfig config) {
        this.config = config;
        this.timing = Timing.of(config);
        this.name = config.name();
        this.factory = new ConnectionFactory(config);
        this.writerLane = new Lane(Role.WRITER, 1, 1);
        this.readerLane = new Lane(Role.READER, config.maxReaders(), config.minReaders());
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, new LongAdder());
        }
        this.housekeeper = Executors.newSingleThreadScheduledExecutor(daemon("poolwatch-" + name + "-housekeeper"));
        this.closer = Executors.newSingleThreadExecutor(daemon("poolwatch-" + name + "-closer"));
        this.writerView = new RoleDataSource(this, Role.WRITER);
        this.readerView = new RoleDataSource(this, Role.READER);
        this.groupCommit = new GroupCommit(name, timeout -> WriterLease.of(borrow(Role.WRITER, true, true, timeout,
                true)), () -> this.config, () -> this.listener);
    }

    /**
     * Opens a pool: checks the file, opens the writer (which sets the journal mode) and {@code minReaders} readers.
     * Fails with a message naming the problem if the directory is not writable or the file is not a SQLite database.
     */
    public static SqlitePool open(SqlitePoolConfig config) throws SQLException {
        checkFile(config.path());
        SqlitePool pool = new SqlitePool(config);
        try {
            pool.fill(pool.writerLane, 1);
            pool.fill(pool.readerLane, pool.readerLane.missing());
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
        long period = config.housekeepingPeriod().toNanos();
        pool.housekeeper.scheduleWithFixedDelay(pool::housekeep, period, period, TimeUnit.NANOSECONDS);
        log.info("pool '{}' opened on {} (1 writer, {} to {} readers)", pool.name, config.path(),
                config.minReaders(), config.maxReaders());
        return pool;
    }

    private static void checkFile(Path path) throws SQLException {
        if (Files.isDirectory(path)) {
            throw new SQLNonTransientConnectionException("database path " + path + " is a directory, not a file", "08001");
        }
        Path dir = path.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException("cannot create the directory " + dir + " for the database: "
                    + e, "08001", SQLITE_CANTOPEN, e);
        }
        if (!Files.isWritable(dir)) {
            throw new SQLNonTransientConnectionException("directory " + dir + " is not writable: SQLite must create the"
                    + " -wal and -shm files beside the database", "08001", SQLITE_READONLY);
        }
        if (Files.exists(path) && !Files.isWritable(path)) {
            throw new SQLNonTransientConnectionException("database file " + path + " is not writable", "08001",
                    SQLITE_READONLY);
        }
        byte[] header = new byte[SQLITE_HEADER.length];
        int read;
        try (InputStream in = Files.newInputStream(path)) {
            read = in.readNBytes(header, 0, header.length);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException("cannot read database file " + path + ": " + e, "08001", e);
        }
        if (read > 0 && !Arrays.equals(header, SQLITE_HEADER)) {
            throw new SQLNonTransientConnectionException("file " + path + " is not a SQLite database (its first bytes are"
                    + " not the SQLite header)", "08001", SQLITE_NOTADB);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String threadName) {
        return r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        };
    }

    // ---------------------------------------------------------------- the caller's API

    /** Runs {@code work} on a read-only connection and gives it back, whatever happens. */
    public <T> T read(SqlFunction<T> work) throws SQLException {
        ConnectionHandle h = borrow(Role.READER, true, false);
        try {
            return work.apply(h.proxy);
        } finally {
            h.release();
        }
    }

    /**
     * Runs {@code work} as one transaction on the writer: {@code BEGIN IMMEDIATE}, then {@code COMMIT} when it returns
     * or {@code ROLLBACK} when it throws. Callers queue for the writer in arrival order.
     */
    public <T> T write(SqlFunction<T> work) throws SQLException {
        ConnectionHandle h = borrow(Role.WRITER, true, true);
        try {
            long begin = System.nanoTime();
            exec(h.pc, "BEGIN IMMEDIATE");
            long began = System.nanoTime();
            listener.writeLockWaited(began - begin);
            T result;
            try {
                result = work.apply(h.proxy);
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(h.pc, e);
                listener.transactionEnded(false, System.nanoTime() - began);
                throw e;
            }
            try {
                exec(h.pc, "COMMIT");
            } catch (SQLException e) {
                rollbackQuietly(h.pc, e);
                listener.transactionEnded(false, System.nanoTime() - began);
                throw e;
            }
            listener.transactionEnded(true, System.nanoTime() - began);
            return result;
        } finally {
            h.release();
        }
    }

    /**
     * Queues {@code work} for the pool's writer thread, which runs it with other callers' queued work in one
     * transaction, each in its own savepoint (group commit). The future completes with the work's result only after
     * that transaction's {@code COMMIT} returned; with the work's own exception if it threw (only its own changes are
     * undone); with the COMMIT's failure if the batch did not commit; with {@link PoolTimeoutException} if it did not
     * start within acquireTimeout, or {@link PoolClosedException}. Cancelling it withdraws the work only while it is
     * queued. See docs/pool.md for when to use it instead of {@link #write}.
     */
    public <T> CompletableFuture<T> submit(SqlFunction<T> work) {
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

    /** A JDBC view of the writer: {@code getConnection()} queues for it, {@code close()} gives it back. */
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
        return state.get();
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

    /** A consistent snapshot of both roles, the counters and the files' sizes. */
    public PoolStats stats() {
        Map<ErrorKind, Long> errorCounts = new EnumMap<>(ErrorKind.class);
        errors.forEach((k, v) -> errorCounts.put(k, v.sum()));
        long last = lastCompleteCheckpointMillis;
        return new PoolStats(name, state.get(), writerLane.stats(), readerLane.stats(), errorCounts,
                leaksSuspected.sum(), leaksReclaimed.sum(), restarts.sum(), databaseSizeBytes(), walSizeBytes(),
                last == 0 ? null : Instant.ofEpochMilli(last));
    }

    /** Size of the database file in bytes (0 if it does not exist). */
    public long databaseSizeBytes() {
        return sizeOf(config.path());
    }

    /** Size of the {@code -wal} file in bytes (0 if there is none). */
    public long walSizeBytes() {
        return sizeOf(config.path().resolveSibling(config.path().getFileName() + "-wal"));
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- live operations

    /**
     * Applies a changed configuration at once. Only maxReaders, minReaders, acquireTimeout, idleTimeout, maxLifetime,
     * validationThreshold, leakDetectionThreshold, leakReclaimTimeout, checkpointInterval and closeTimeout may differ
     * from the running one; anything else is rejected with the field named and nothing changes.
     */
    public void reconfigure(SqlitePoolConfig next) {
        String fixed = config.firstFixedFieldDifferingFrom(next);
        if (fixed != null) {
            throw new IllegalArgumentException(fixed + " cannot change while the pool runs; close and reopen it");
        }
        admin.lock();
        try {
            SqlitePoolConfig previous = config;
            config = next;
            timing = Timing.of(next);
            if (previous.maxReaders() != next.maxReaders() || previous.minReaders() != next.minReaders()) {
                applyReaderLimits(previous.maxReaders(), next.maxReaders(), next.minReaders());
            }
        } finally {
            admin.unlock();
        }
    }

    /** Changes the reader limit (1 to 1000); minReaders is lowered to fit. Borrowed readers above it close on return. */
    public void resize(int maxReaders) {
        if (maxReaders < 1 || maxReaders > SqlitePoolConfig.MAX_READERS_LIMIT) {
            throw new IllegalArgumentException("maxReaders must be between 1 and " + SqlitePoolConfig.MAX_READERS_LIMIT
                    + ", was " + maxReaders);
        }
        admin.lock();
        try {
            SqlitePoolConfig c = config;
            reconfigure(c.toBuilder().maxReaders(maxReaders).minReaders(Math.min(c.minReaders(), maxReaders)).build());
        } finally {
            admin.unlock();
        }
    }

    private void applyReaderLimits(int oldMax, int newMax, int newMin) {
        for (PooledConnection pc : readerLane.resize(newMax, newMin)) {
            closePhysical(pc, PoolListener.CloseReason.EVICTED);
        }
        if (oldMax != newMax) {
            log.info("pool '{}' readers resized from {} to {}", name, oldMax, newMax);
            listener.resized(oldMax, newMax);
        }
    }

    /**
     * Closes every idle connection now and every borrowed one when it comes back, like HikariCP's
     * {@code softEvictConnections()}. Returns how many were closed now; new ones open on demand.
     */
    public int evictIdle() {
        admin.lock();
        try {
            generation++;
            int n = 0;
            for (Lane lane : List.of(writerLane, readerLane)) {
                for (PooledConnection pc : lane.takeAllIdle()) {
                    closePhysical(pc, PoolListener.CloseReason.EVICTED);
                    n++;
                }
            }
            log.info("pool '{}' evicted {} idle connections", name, n);
            return n;
        } finally {
            admin.unlock();
        }
    }

    /**
     * Drains and reopens every connection. New callers wait (their acquire timeout still runs) while callers already
     * holding a connection finish; then every connection is closed and the writer and minReaders reopened. A holder
     * that does not return within closeTimeout keeps its connection until it does, and that one is closed then.
     */
    public void restart() throws SQLException {
        admin.lock();
        long start = System.nanoTime();
        PoolState before = state.get();
        if (before == PoolState.CLOSED) {
            admin.unlock();
            throw new PoolClosedException(name);
        }
        setState(before, PoolState.RESTARTING);
        int writerPermits = 0;
        int readerPermits = 0;
        try {
            long deadline = start + timing.closeTimeout;
            writerPermits = writerLane.drain(deadline);
            readerPermits = readerLane.drain(deadline);
            generation++;
            for (Lane lane : List.of(writerLane, readerLane)) {
                for (PooledConnection pc : lane.takeAllIdle()) {
                    closePhysical(pc, PoolListener.CloseReason.EVICTED);
                }
            }
            // The same checks as open(): a vanished directory is recreated, a bad file is named.
            try {
                checkFile(config.path());
            } catch (SQLException e) {
                recordError(Role.WRITER, e);
                throw e;
            }
            fill(writerLane, 1);
            fill(readerLane, readerLane.missing());
            restarts.increment();
            long took = System.nanoTime() - start;
            log.info("pool '{}' restarted in {} ms", name, TimeUnit.NANOSECONDS.toMillis(took));
            listener.restarted(took);
        } finally {
            writerLane.release(writerPermits);
            readerLane.release(readerPermits);
            setState(PoolState.RESTARTING, paused ? PoolState.PAUSED : PoolState.OPEN);
            admin.unlock();
        }
    }

    /**
     * Takes back, by force, every borrowed connection already reported as a suspected leak (held longer than
     * leakDetectionThreshold), with the same effect and risk as leakReclaimTimeout. Returns how many.
     */
    public int reclaimSuspectedLeaks() {
        int n = 0;
        long now = System.nanoTime();
        for (Lane lane : List.of(writerLane, readerLane)) {
            for (PooledConnection pc : lane.activeSnapshot()) {
                if (pc.leakReported && reclaim(lane, pc, now - pc.borrowedNanos)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Stops handing out connections; callers wait (their acquire timeout still runs), holders carry on. */
    public void pause() {
        gate.lock();
        try {
            paused = true;
            setState(PoolState.OPEN, PoolState.PAUSED);
        } finally {
            gate.unlock();
        }
    }

    /** Hands out connections again after {@link #pause()}. */
    public void resume() {
        gate.lock();
        try {
            paused = false;
            setState(PoolState.PAUSED, PoolState.OPEN);
            resumed.signalAll();
        } finally {
            gate.unlock();
        }
    }

    /** Runs {@code PRAGMA wal_checkpoint(mode)} on the writer, queueing like a write. */
    public CheckpointResult checkpoint(CheckpointMode mode) throws SQLException {
        ConnectionHandle h = borrow(Role.WRITER, true, false);
        try {
            return runCheckpoint(h.pc, mode);
        } finally {
            h.release();
        }
    }

    private CheckpointResult runCheckpoint(PooledConnection pc, CheckpointMode mode) throws SQLException {
        try (Statement s = pc.raw.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(" + mode.name() + ")")) {
            rs.next();
            CheckpointResult result = new CheckpointResult(mode, rs.getInt(1) != 0, rs.getInt(2), rs.getInt(3));
            if (result.complete()) {
                lastCompleteCheckpointMillis = System.currentTimeMillis();
            }
            listener.checkpointed(result);
            return result;
        } catch (SQLException e) {
            onError(pc, e);
            throw e;
        }
    }

    /** Runs {@code PRAGMA optimize} on the writer, which refreshes the planner's statistics where they are stale. */
    public void optimize() throws SQLException {
        ConnectionHandle h = borrow(Role.WRITER, true, false);
        try (Statement s = h.pc.raw.createStatement()) {
            s.execute("PRAGMA optimize");
        } catch (SQLException e) {
            onError(h.pc, e);
            throw e;
        } finally {
            h.release();
        }
    }

    /** Runs {@code PRAGMA quick_check} on a reader. Diagnostic only: it never changes the database. */
    public QuickCheckResult quickCheck() throws SQLException {
        long start = System.nanoTime();
        List<String> rows;
        try {
            rows = read(c -> {
                List<String> out = new ArrayList<>();
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA quick_check")) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            });
        } catch (SQLException e) {
            if (ErrorKind.classify(e) != ErrorKind.CORRUPT) {
                throw e;
            }
            rows = List.of(String.valueOf(e.getMessage()));
        }
        boolean ok = rows.size() == 1 && "ok".equals(rows.get(0));
        QuickCheckResult result = new QuickCheckResult(ok, ok ? List.of() : rows, System.nanoTime() - start);
        if (!ok) {
            log.error("pool '{}' quick_check found problems: {}", name, rows);
        }
        listener.quickChecked(result);
        return result;
    }

    /**
     * Closes the pool: waiting callers fail with {@link PoolClosedException} at once, holders get closeTimeout to
     * give their connections back, then every connection is closed. Calling it again does nothing.
     */
    @Override
    public void close() {
        PoolState before;
        do {
            before = state.get();
            if (before == PoolState.CLOSED) {
                return;
            }
        } while (!state.compareAndSet(before, PoolState.CLOSED));
        listener.stateChanged(before, PoolState.CLOSED);
        groupCommit.close();
        housekeeper.shutdownNow();
        gate.lock();
        try {
            resumed.signalAll();
        } finally {
            gate.unlock();
        }
        writerLane.wakeAllForClose();
        readerLane.wakeAllForClose();
        long deadline = System.nanoTime() + timing.closeTimeout;
        while ((writerLane.activeCount() > 0 || readerLane.activeCount() > 0) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Lane lane : List.of(readerLane, writerLane)) {
            for (PooledConnection pc : lane.takeAllIdle()) {
                closePhysical(pc, PoolListener.CloseReason.POOL_CLOSED);
            }
            for (PooledConnection pc : lane.activeSnapshot()) {
                ConnectionHandle h = pc.handle;
                if ((h == null || h.invalidate()) && lane.removeActive(pc)) {
                    log.warn("pool '{}' closed a {} connection still borrowed by thread '{}'", name, pc.role.tag(),
                            pc.borrowerThread);
                    interruptAndClose(pc, PoolListener.CloseReason.POOL_CLOSED);
                }
            }
        }
        closer.shutdown();
        try {
            closer.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timing.closeTimeout)), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("pool '{}' closed", name);
    }

    // ---------------------------------------------------------------- borrowing and returning

    Lane lane(Role role) {
        return role == Role.WRITER ? writerLane : readerLane;
    }

    ConnectionHandle borrow(Role role, boolean scoped, boolean managedTransaction) throws SQLException {
        return borrow(role, scoped, managedTransaction, timing.acquireTimeout, true);
    }

    /**
     * Whether the writer can be borrowed within {@code timeout} and answers a query: the readiness probe. Probes are
     * not counted as acquires or timeouts, so health checks do not skew the pool's metrics.
     */
    public boolean ping(Duration timeout) {
        try {
            ConnectionHandle h = borrow(Role.WRITER, true, false, timeout.toNanos(), false);
            try {
                return h.pc.raw.isValid(1);
            } finally {
                h.release();
            }
        } catch (SQLException e) {
            return false;
        }
    }

    private ConnectionHandle borrow(Role role, boolean scoped, boolean managedTransaction, long timeoutNanos,
                                    boolean observed) throws SQLException {
        Lane lane = lane(role);
        long start = System.nanoTime();
        if (state.get() == PoolState.CLOSED) {
            throw new PoolClosedException(name);
        }
        Timing t = timing;
        boolean permit;
        try {
            permit = lane.tryAcquire(timeoutNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(role, e);
        }
        if (!permit) {
            throw timedOut(lane, start, observed);
        }
        try {
            if (paused) {
                awaitResume(lane, start, start + timeoutNanos, observed);
            }
            if (state.get() == PoolState.CLOSED) {
                throw new PoolClosedException(name);
            }
            PooledConnection pc = obtain(lane, t);
            long now = System.nanoTime();
            pc.markBorrowed(now, t.leakDetection > 0 && t.leakStackTraces);
            ConnectionHandle h = new ConnectionHandle(this, pc, scoped, managedTransaction, observed);
            pc.handle = h;
            if (observed) {
                lane.acquires.increment();
                listener.acquired(role, now - start);
            }
            return h;
        } catch (SQLException | RuntimeException | Error e) {
            lane.release();
            throw e;
        }
    }

    private void awaitResume(Lane lane, long start, long deadline, boolean observed) throws SQLException {
        gate.lock();
        try {
            while (paused && state.get() != PoolState.CLOSED) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timedOut(lane, start, observed);
                }
                resumed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(lane.role, e);
        } finally {
            gate.unlock();
        }
    }

    private SQLException interrupted(Role role, InterruptedException e) {
        return new SQLTransientConnectionException("pool '" + name + "' - interrupted while waiting for a "
                + role.tag() + " connection", "08001", e);
    }

    private PoolTimeoutException timedOut(Lane lane, long start, boolean observed) {
        long waited = System.nanoTime() - start;
        if (observed) {
            lane.timeouts.increment();
            listener.timedOut(lane.role, waited);
        }
        return new PoolTimeoutException("pool '" + name + "' - " + lane.role.tag() + " connection not available, request"
                + " timed out after " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms (" + lane.describe()
                + (paused ? ", paused" : "") + ")", lane.role);
    }

    /** With a permit held: the most recent idle connection that is still good, or a new one. */
    private PooledConnection obtain(Lane lane, Timing t) throws SQLException {
        for (;;) {
            PooledConnection pc = lane.pollIdle();
            if (pc == null) {
                return create(lane);
            }
            long now = System.nanoTime();
            if (pc.generation != generation || (t.maxLifetime > 0 && now - pc.createdNanos > t.maxLifetime)) {
                lane.removeActive(pc);
                closePhysical(pc, pc.generation != generation ? PoolListener.CloseReason.EVICTED
                        : PoolListener.CloseReason.LIFETIME);
            } else if (now - pc.idleSinceNanos >= t.validation && !isAlive(pc)) {
                lane.removeActive(pc);
                closePhysical(pc, PoolListener.CloseReason.BROKEN);
            } else {
                return pc;
            }
        }
    }

    private static boolean isAlive(PooledConnection pc) {
        try {
            return !pc.raw.isClosed() && pc.raw.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Opens a connection for the lane and counts it active; the caller holds a permit or the admin lock. */
    private PooledConnection create(Lane lane) throws SQLException {
        PooledConnection pc = openPhysical(lane.role);
        lane.addActive(pc);
        return pc;
    }

    private PooledConnection openPhysical(Role role) throws SQLException {
        long start = System.nanoTime();
        Connection raw;
        try {
            raw = factory.open(role);
        } catch (SQLException e) {
            recordError(role, e);
            throw new SQLNonTransientConnectionException("pool '" + name + "' - cannot open a " + role.tag()
                    + " connection to " + config.path() + ": " + e.getMessage(), "08001", e.getErrorCode(), e);
        }
        long now = System.nanoTime();
        lane(role).created.increment();
        listener.connectionCreated(role, now - start);
        return new PooledConnection(raw, role, now, generation);
    }

    /** Opens {@code n} connections straight into the idle set (start-up, restart and keeping minReaders). */
    private void fill(Lane lane, int n) throws SQLException {
        for (int i = 0; i < n; i++) {
            PooledConnection pc = openPhysical(lane.role);
            if (!lane.addIdle(pc, System.nanoTime())) {
                closePhysical(pc, PoolListener.CloseReason.EVICTED);
                return;
            }
        }
    }

    void giveBack(ConnectionHandle h) {
        PooledConnection pc = h.pc;
        Lane lane = lane(pc.role);
        pc.handle = null;
        pc.borrowSite = null;
        pc.borrower = null;
        boolean clean = reset(h);
        long now = System.nanoTime();
        long held = now - pc.borrowedNanos;
        long maxLifetime = timing.maxLifetime;
        boolean expired = maxLifetime > 0 && now - pc.createdNanos > maxLifetime;
        boolean reusable = clean && !expired && pc.generation == generation && state.get() != PoolState.CLOSED;
        if (!lane.checkIn(pc, reusable, now)) {
            closePhysical(pc, !clean ? PoolListener.CloseReason.BROKEN : expired ? PoolListener.CloseReason.LIFETIME
                    : state.get() == PoolState.CLOSED ? PoolListener.CloseReason.POOL_CLOSED
                    : PoolListener.CloseReason.EVICTED);
        }
        lane.release();
        if (h.observed) {
            listener.released(pc.role, held);
        }
    }

    /** Undoes what the caller changed; false when the connection must not be used again. */
    private boolean reset(ConnectionHandle h) {
        PooledConnection pc = h.pc;
        if (pc.broken) {
            return false;
        }
        try {
            Connection raw = pc.raw;
            if (raw.isClosed()) {
                return false;
            }
            for (Statement s : h.takeStatements()) {
                s.close();
            }
            if (h.autoCommitChanged && !raw.getAutoCommit()) {
                // sqlite-jdbc's rollback() begins the next transaction at once; setAutoCommit(true) ends that one.
                raw.rollback();
                raw.setAutoCommit(true);
            }
            if (h.isolationChanged) {
                raw.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            }
            if (h.rawTransaction && raw.getAutoCommit()) {
                endRawTransaction(pc);
            }
            return !pc.broken;
        } catch (SQLException e) {
            onError(pc, e);
            log.debug("pool '{}' discards a {} connection that could not be reset", name, pc.role.tag(), e);
            return false;
        }
    }

    private void recordError(Role role, SQLException e) {
        ErrorKind kind = ErrorKind.classify(e);
        errors.get(kind).increment();
        listener.error(role, kind, e);
    }

    void onError(PooledConnection pc, SQLException e) {
        ErrorKind kind = ErrorKind.classify(e);
        errors.get(kind).increment();
        if (kind.breaksConnection()) {
            pc.broken = true;
        }
        listener.error(pc.role, kind, e);
    }

    private void exec(PooledConnection pc, String sql) throws SQLException {
        try {
            ((SQLiteConnection) pc.raw).getDatabase().exec(sql, true);
        } catch (SQLException e) {
            onError(pc, e);
            throw e;
        }
    }

    private void rollbackQuietly(PooledConnection pc, Throwable cause) {
        try {
            endRawTransaction(pc);
        } catch (SQLException e) {
            pc.broken = true;
            cause.addSuppressed(e);
        }
    }

    /** Rolls back whatever transaction is open; none being open is fine. */
    private static void endRawTransaction(PooledConnection pc) throws SQLException {
        try {
            ((SQLiteConnection) pc.raw).getDatabase().exec("ROLLBACK", true);
        } catch (SQLException e) {
            // SQLite ends the transaction itself after some errors (SQLITE_FULL, SQLITE_IOERR, …).
            if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                throw e;
            }
        }
    }

    private void closePhysical(PooledConnection pc, PoolListener.CloseReason reason) {
        try {
            pc.raw.close();
        } catch (SQLException e) {
            log.debug("pool '{}' could not close a {} connection cleanly", name, pc.role.tag(), e);
        }
        lane(pc.role).closed.increment();
        listener.connectionClosed(pc.role, reason);
    }

    /** Stops whatever the holder runs on the connection, then closes it; for connections taken from a holder. */
    private void interruptAndClose(PooledConnection pc, PoolListener.CloseReason reason) {
        try {
            ((SQLiteConnection) pc.raw).getDatabase().interrupt();
        } catch (RuntimeException | SQLException e) {
            log.debug("pool '{}' could not interrupt a {} connection", name, pc.role.tag(), e);
        }
        closePhysical(pc, reason);
    }

    private void setState(PoolState from, PoolState to) {
        if (state.compareAndSet(from, to)) {
            listener.stateChanged(from, to);
        }
    }

    // ---------------------------------------------------------------- housekeeping

    private void housekeep() {
        MDC.put("pool", name);
        try {
            Timing t = timing;
            long now = System.nanoTime();
            if (t.leakDetection > 0) {
                checkLeaks(writerLane, t, now);
                checkLeaks(readerLane, t, now);
            }
            for (Lane lane : List.of(writerLane, readerLane)) {
                for (PooledConnection pc : lane.takeRetired(now, lane == writerLane ? Long.MAX_VALUE : t.idleTimeout,
                        t.maxLifetime, generation)) {
                    closePhysical(pc, pc.generation != generation ? PoolListener.CloseReason.EVICTED
                            : t.maxLifetime > 0 && now - pc.createdNanos > t.maxLifetime
                            ? PoolListener.CloseReason.LIFETIME : PoolListener.CloseReason.IDLE);
                }
            }
            if (state.get() == PoolState.OPEN) {
                fill(writerLane, writerLane.missing());
                fill(readerLane, readerLane.missing());
                if (t.checkpointInterval > 0 && now - lastCheckpointTryNanos >= t.checkpointInterval) {
                    lastCheckpointTryNanos = now;
                    passiveCheckpointIfWriterFree();
                }
            }
        } catch (SQLException e) {
            log.warn("pool '{}' housekeeping could not open a connection: {}", name, e.getMessage());
        } catch (RuntimeException e) {
            log.error("pool '{}' housekeeping failed", name, e);
        }
    }

    private void checkLeaks(Lane lane, Timing t, long now) {
        for (PooledConnection pc : lane.activeSnapshot()) {
            long held = now - pc.borrowedNanos;
            if (held > t.leakDetection && !pc.leakReported) {
                pc.leakReported = true;
                leaksSuspected.increment();
                Throwable site = pc.borrowSite != null ? pc.borrowSite : whereItIsNow(pc);
                log.warn("pool '{}' - connection leak suspected: a {} connection has been held for {} ms by thread '{}'",
                        name, lane.role.tag(), TimeUnit.NANOSECONDS.toMillis(held), pc.borrowerThread, site);
                listener.leakSuspected(lane.role, held, pc.borrowerThread, site);
            }
            if (t.leakReclaim > 0 && held > t.leakReclaim) {
                reclaim(lane, pc, held);
            }
        }
    }

    /**
     * Without leakDetectionStackTraces the borrow site is unknown; the holder's stack now is the next best thing
     * (often it is stuck right where it uses the connection).
     */
    private static Throwable whereItIsNow(PooledConnection pc) {
        Thread holder = pc.borrower;
        if (holder == null) {
            return null;
        }
        Throwable now = new Throwable("stack of thread '" + holder.getName() + "' when the leak was detected; set"
                + " leakDetectionStackTraces(true) to record where connections are borrowed");
        now.setStackTrace(holder.getStackTrace());
        return now;
    }

    private boolean reclaim(Lane lane, PooledConnection pc, long held) {
        ConnectionHandle h = pc.handle;
        if (h == null || !h.invalidate() || !lane.removeActive(pc)) {
            return false;
        }
        leaksReclaimed.increment();
        log.warn("pool '{}' reclaimed a {} connection held for {} ms by thread '{}'; its open transaction is rolled back",
                name, lane.role.tag(), TimeUnit.NANOSECONDS.toMillis(held), pc.borrowerThread);
        listener.leakReclaimed(lane.role, held);
        // The permit goes back only once the old connection is closed, so a new writer never meets its write lock.
        closer.execute(() -> {
            try {
                interruptAndClose(pc, PoolListener.CloseReason.RECLAIMED);
            } finally {
                lane.release();
            }
        });
        return true;
    }

    private void passiveCheckpointIfWriterFree() {
        if (!writerLane.tryAcquireNow()) {
            return;
        }
        try {
            PooledConnection pc = writerLane.pollIdle();
            if (pc == null) {
                return;
            }
            try {
                runCheckpoint(pc, CheckpointMode.PASSIVE);
            } catch (SQLException e) {
                log.debug("pool '{}' passive checkpoint failed", name, e);
            } finally {
                if (!writerLane.checkIn(pc, !pc.broken && pc.generation == generation, System.nanoTime())) {
                    closePhysical(pc, PoolListener.CloseReason.BROKEN);
                }
            }
        } finally {
            writerLane.release();
        }
    }
}
