package dev.poolwatch.pool;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lends and takes back connections: the reader bag, the writer gate and the one writer connection (opened and
 * closed by {@link PhysicalConnections}), and what a borrow costs on its fast path (one gate flag, one CAS, one clock
 * read).
 */
final class ConnectionBroker {
    private static final Logger log = LoggerFactory.getLogger(ConnectionBroker.class);
    /**
     * How long the oldest writer waiter may be passed by threads that arrive or return. At 2 ms the queue of a
     * saturated writer (25 workers) was past it on 98 % of releases, so nearly every write went to a parked thread;
     * 3 ms measured 4-18 % more writer-bound throughput with the same p99, 5 ms more still but a p99 over 5 ms.
     */
    static final long BARGING_BOUND_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

    private final SqlitePool pool;
    final ReaderBag readers;
    final WriterGate gate;
    final Lifecycle lifecycle;
    final ErrorRecorder errors;
    private final ExecutorService closer;

    /** The writer connection; read and replaced only by the thread that holds the gate. */
    private volatile PoolEntry writer;
    volatile int generation;
    /** Writer borrows given back; written only by the writer's holder, read by the background checkpointer. */
    volatile long writerReturns;

    final PhysicalConnections connections;

    ConnectionBroker(SqlitePool pool, ConnectionFactory factory, Lifecycle lifecycle, ErrorRecorder errors,
                     ExecutorService closer, int maxReaders, int minReaders) {
        this.pool = pool;
        this.lifecycle = lifecycle;
        this.errors = errors;
        this.closer = closer;
        this.connections = new PhysicalConnections(pool, factory, lifecycle, errors);
        this.readers = new ReaderBag(maxReaders, minReaders);
        this.gate = new WriterGate(BARGING_BOUND_NANOS, System::nanoTime);
    }

    PoolEntry writerEntry() {
        return writer;
    }

    // ---------------------------------------------------------------- borrowing

    ProxyConnection borrow(Role role, int mode, long timeoutNanos, boolean observed) throws SQLException {
        long start = System.nanoTime();
        if (lifecycle.blocked() && !lifecycle.awaitOpen(role, start + timeoutNanos, pool.name())) {
            throw timedOut(role, start, observed);
        }
        SqlitePool.Timing t = pool.timing();
        PoolEntry e = null;
        long now = start;
        if (role == Role.READER) {
            e = readers.tryBorrow();
            if (e != null && !usable(e, t, start)) {
                readers.remove(e);
                closeEntry(e, retireReason(e, t, start));
                e = null;
            }
        }
        if (e == null) {
            e = role == Role.READER ? borrowReader(start, timeoutNanos, t, observed)
                    : borrowWriter(start, timeoutNanos, t, observed);
            now = System.nanoTime();
        }
        ProxyConnection p = new ProxyConnection(pool, e, mode, observed, now, t.leakDetection() > 0 && t.leakStackTraces());
        e.lend(p);
        if (lifecycle.closed()) {
            p.release();
            throw new PoolClosedException(pool.name());
        }
        if (observed) {
            connections.counts(role).acquires.increment();
            pool.listener().acquired(role, now - start);
        }
        return p;
    }

    private PoolEntry borrowReader(long start, long timeoutNanos, SqlitePool.Timing t, boolean observed)
            throws SQLException {
        for (;;) {
            PoolEntry e = readers.tryBorrow();
            if (e == null) {
                try {
                    e = readers.borrow(start + timeoutNanos - System.nanoTime(), () -> open(Role.READER),
                            () -> !lifecycle.closed());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw interrupted(Role.READER, ex);
                }
                if (e == null) {
                    if (lifecycle.closed()) {
                        throw new PoolClosedException(pool.name());
                    }
                    throw timedOut(Role.READER, start, observed);
                }
            }
            if (usable(e, t, start)) {
                return e;
            }
            readers.remove(e);
            closeEntry(e, retireReason(e, t, start));
        }
    }

    private PoolEntry borrowWriter(long start, long timeoutNanos, SqlitePool.Timing t, boolean observed)
            throws SQLException {
        Thread me = Thread.currentThread();
        if (gate.heldBy(me)) {
            throw new SQLNonTransientConnectionException("pool '" + pool.name() + "' - thread '" + me.getName()
                    + "' already holds the writer: a nested write() or writer().getConnection() on the same thread"
                    + " would wait for itself; do the work inside the outer write", "25000");
        }
        if (!gate.tryAcquire()) {
            boolean got;
            try {
                got = gate.acquire(start + timeoutNanos - System.nanoTime());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw interrupted(Role.WRITER, ex);
            }
            if (!got) {
                if (lifecycle.closed()) {
                    throw new PoolClosedException(pool.name());
                }
                throw timedOut(Role.WRITER, start, observed);
            }
        }
        try {
            if (lifecycle.closed()) {
                throw new PoolClosedException(pool.name());
            }
            PoolEntry e = writer;
            if (e != null && !usable(e, t, start)) {
                writer = null;
                closeEntry(e, retireReason(e, t, start));
                e = null;
            }
            if (e == null) {
                e = open(Role.WRITER);
                writer = e;
            }
            e.compareAndSet(PoolEntry.FREE, PoolEntry.IN_USE);
            int autoCheckpoint = BackgroundCheckpointer.writerAutoCheckpoint(pool.config());
            if (e.autoCheckpointApplied != autoCheckpoint) {
                e.raw.getDatabase().exec("PRAGMA wal_autocheckpoint = " + autoCheckpoint, false);
                e.autoCheckpointApplied = autoCheckpoint;
            }
            return e;
        } catch (SQLException | RuntimeException | Error ex) {
            gate.release();
            throw ex;
        }
    }

    private boolean usable(PoolEntry e, SqlitePool.Timing t, long now) {
        if (e.broken || e.generation != generation || (t.maxLifetime() > 0 && now - e.createdNanos > t.maxLifetime())) {
            return false;
        }
        if (now - e.freeSinceNanos >= t.validation()) {
            try {
                return !e.raw.isClosed() && e.raw.isValid(1);
            } catch (SQLException ex) {
                return false;
            }
        }
        return true;
    }

    private PoolListener.CloseReason retireReason(PoolEntry e, SqlitePool.Timing t, long now) {
        if (e.generation != generation) {
            return PoolListener.CloseReason.EVICTED;
        }
        if (!e.broken && t.maxLifetime() > 0 && now - e.createdNanos > t.maxLifetime()) {
            return PoolListener.CloseReason.LIFETIME;
        }
        return PoolListener.CloseReason.BROKEN;
    }

    private SQLException interrupted(Role role, InterruptedException e) {
        return new SQLTransientConnectionException("pool '" + pool.name() + "' - interrupted while waiting for a "
                + role.tag() + " connection", "08001", e);
    }

    private PoolTimeoutException timedOut(Role role, long start, boolean observed) {
        long waited = System.nanoTime() - start;
        if (observed) {
            connections.counts(role).timeouts.increment();
            pool.listener().timedOut(role, waited);
        }
        return new PoolTimeoutException("pool '" + pool.name() + "' - " + role.tag() + " connection not available,"
                + " request timed out after " + TimeUnit.NANOSECONDS.toMillis(waited) + " ms (" + describe(role)
                + (lifecycle.paused() ? ", paused" : "") + ")", role);
    }

    String describe(Role role) {
        PoolStats.RoleStats s = stats(role);
        return "total=" + s.total() + ", active=" + s.active() + ", idle=" + s.idle() + ", waiting=" + s.pending();
    }

    // ---------------------------------------------------------------- returning

    /** The end of a borrow: reset, then back to the bag or the gate, or closed. Never loses the slot. */
    void giveBack(ProxyConnection p) {
        PoolEntry e = p.entry;
        boolean clean = false;
        long now = 0;
        try {
            clean = SessionReset.reset(p);
        } finally {
            e.lend(null);
            now = System.nanoTime();
            SqlitePool.Timing t = pool.timing();
            boolean expired = t.maxLifetime() > 0 && now - e.createdNanos > t.maxLifetime();
            boolean reusable = clean && !e.broken && !expired && e.generation == generation && !lifecycle.closed();
            PoolListener.CloseReason reason = !clean || e.broken ? PoolListener.CloseReason.BROKEN
                    : expired ? PoolListener.CloseReason.LIFETIME
                    : lifecycle.closed() ? PoolListener.CloseReason.POOL_CLOSED : PoolListener.CloseReason.EVICTED;
            if (e.role == Role.READER) {
                if (reusable && !readers.overLimit()) {
                    readers.requite(e, now, true);
                } else {
                    readers.remove(e);
                    closeEntry(e, reusable ? PoolListener.CloseReason.EVICTED : reason);
                }
            } else {
                if (reusable) {
                    e.setFree(now);
                } else {
                    writer = null;
                    closeEntry(e, reason);
                }
                writerReturns++;
                gate.release();
            }
        }
        if (p.observed) {
            pool.listener().released(e.role, now - p.borrowedNanos);
        }
    }

    /**
     * Takes a connection away from its holder (abort, reclaim): interrupts what runs on it, closes it on
     * {@code executor}, and only then frees its slot, so a new writer never meets the old one's write lock.
     */
    void discard(ProxyConnection p, Executor executor, PoolListener.CloseReason reason) {
        PoolEntry e = p.entry;
        e.broken = true;
        try {
            e.raw.getDatabase().interrupt();
        } catch (SQLException | RuntimeException ex) {
            log.debug("pool '{}' could not interrupt a {} connection", pool.name(), e.role.tag(), ex);
        }
        if (e.role == Role.READER) {
            readers.remove(e);
        }
        Runnable task = () -> {
            try {
                closeEntry(e, reason);
            } finally {
                e.borrow = null;
                if (e.role == Role.WRITER) {
                    writer = null;
                    gate.release();
                }
            }
        };
        try {
            executor.execute(task);
        } catch (RuntimeException rejected) {
            task.run();
        }
    }

    void discard(ProxyConnection p, PoolListener.CloseReason reason) {
        discard(p, closer, reason);
    }

    // ---------------------------------------------------------------- physical connections

    PoolEntry open(Role role) throws SQLException {
        return connections.open(role, generation);
    }

    void closeEntry(PoolEntry e, PoolListener.CloseReason reason) {
        connections.close(e, reason);
    }

    /** Opens readers until minReaders are open (start-up, restart, housekeeping); stops if the pool closes. */
    void fillReaders() throws SQLException {
        while (readers.missing() > 0 && !lifecycle.closed() && readers.reserve()) {
            PoolEntry e;
            try {
                e = open(Role.READER);
            } catch (SQLException | RuntimeException ex) {
                readers.unreserve();
                throw ex;
            }
            readers.addFree(e, System.nanoTime());
            if (lifecycle.closed()) {
                closeAllFree(PoolListener.CloseReason.POOL_CLOSED);
            }
        }
    }

    /** Opens the writer now if it is free and not open, so the first write does not pay for it. */
    void fillWriter() throws SQLException {
        if (writer == null && gate.tryAcquire()) {
            try {
                if (writer == null && !lifecycle.closed()) {
                    PoolEntry e = open(Role.WRITER);
                    e.setFree(System.nanoTime());
                    writer = e;
                }
            } finally {
                gate.release();
            }
        }
    }

    /** Closes the writer if it is free and evicted, broken or past maxLifetime; the refill reopens it. */
    void retireWriterIfDue(SqlitePool.Timing t, long now) {
        if (writer != null && gate.waiting() == 0 && gate.tryAcquire()) {
            try {
                PoolEntry w = writer;
                if (w != null && (w.broken || w.generation != generation
                        || (t.maxLifetime() > 0 && now - w.createdNanos > t.maxLifetime()))) {
                    writer = null;
                    closeEntry(w, retireReason(w, t, now));
                }
            } finally {
                gate.release();
            }
        }
    }

    /** Closes every free connection (evict, restart, close); borrowed ones close when they come back. */
    int closeAllFree(PoolListener.CloseReason reason) {
        int n = 0;
        for (PoolEntry e : readers.reserveFree(x -> true, false)) {
            readers.remove(e);
            closeEntry(e, reason);
            n++;
        }
        if (gate.tryAcquire()) {
            try {
                PoolEntry w = writer;
                if (w != null) {
                    writer = null;
                    closeEntry(w, reason);
                    n++;
                }
            } finally {
                gate.release();
            }
        }
        return n;
    }

    /** Borrowed readers and, when the writer gate is held by someone, the writer. */
    int inUse() {
        int n = 0;
        for (PoolEntry e : readers.entries()) {
            if (e.state() == PoolEntry.IN_USE) {
                n++;
            }
        }
        PoolEntry w = writer;
        return n + (w != null && w.borrow != null ? 1 : 0);
    }

    PoolStats.RoleStats stats(Role role) {
        long now = System.nanoTime();
        return role == Role.WRITER
                ? RoleStatsSnapshot.writer(writer, gate.waiting() + lifecycle.waiting(Role.WRITER),
                        connections.writerCounts, now)
                : RoleStatsSnapshot.readers(readers, readers.waiters() + lifecycle.waiting(Role.READER),
                        connections.readerCounts, now);
    }
}
