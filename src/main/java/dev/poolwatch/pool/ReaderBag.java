package dev.poolwatch.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The read-only connections, in the manner of HikariCP's ConcurrentBag. A thread first tries the connections it
 * returned itself (a thread-local list, no shared write at all), then every connection, then opens one if the limit
 * allows (capacity is claimed by CAS), and only then waits on a fair hand-off queue that returning threads feed.
 * Taking a connection is one CAS on its state, giving it back one store; one handed to a waiter is never free on
 * the way, so nobody can take it from under the waiter.
 */
final class ReaderBag {

    /** What the bag needs to open connections for itself. */
    interface Opener {
        PoolEntry open() throws java.sql.SQLException;
    }

    private static final int LOCAL_MAX = 8;
    /** Waiters re-scan this often, so a connection closed elsewhere or a raised limit is noticed without a signal. */
    private static final long RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final CopyOnWriteArrayList<PoolEntry> all = new CopyOnWriteArrayList<>();
    private final ThreadLocal<ArrayList<PoolEntry>> local = ThreadLocal.withInitial(() -> new ArrayList<>(LOCAL_MAX));
    private final SynchronousQueue<PoolEntry> handoff = new SynchronousQueue<>(true);
    private final AtomicInteger waiters = new AtomicInteger();
    /** Open connections plus those being opened. */
    private final AtomicInteger total = new AtomicInteger();
    private volatile int max;
    private volatile int min;

    ReaderBag(int max, int min) {
        this.max = max;
        this.min = min;
    }

    /** The fast path: a connection this thread used last, or any free one. Null when none is free. */
    PoolEntry tryBorrow() {
        ArrayList<PoolEntry> mine = local.get();
        for (int i = mine.size() - 1; i >= 0; i--) {
            PoolEntry e = mine.remove(i);
            if (e.compareAndSet(PoolEntry.FREE, PoolEntry.IN_USE)) {
                return e;
            }
        }
        for (PoolEntry e : all) {
            if (e.compareAndSet(PoolEntry.FREE, PoolEntry.IN_USE)) {
                return e;
            }
        }
        return null;
    }

    /**
     * Borrows within {@code timeoutNanos}: a free connection, a new one when below the limit, or one handed over
     * by a returning thread. Null on time-out. {@code stillOpen} is checked between waits.
     */
    PoolEntry borrow(long timeoutNanos, Opener opener, java.util.function.BooleanSupplier stillOpen)
            throws java.sql.SQLException, InterruptedException {
        PoolEntry e = tryBorrow();
        if (e != null) {
            return e;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        waiters.incrementAndGet();
        try {
            for (;;) {
                if (reserve()) {
                    return openReserved(opener);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !stillOpen.getAsBoolean()) {
                    return null;
                }
                e = handoff.poll(Math.min(left, RESCAN_NANOS), TimeUnit.NANOSECONDS);
                if (e != null) {
                    return e;
                }
                e = tryBorrow();
                if (e != null) {
                    return e;
                }
            }
        } finally {
            waiters.decrementAndGet();
        }
    }

    private PoolEntry openReserved(Opener opener) throws java.sql.SQLException {
        try {
            PoolEntry e = opener.open();
            all.add(e);
            return e;
        } catch (java.sql.SQLException | RuntimeException | Error ex) {
            total.decrementAndGet();
            throw ex;
        }
    }

    /** Claims room for one more connection, if the limit allows. */
    boolean reserve() {
        for (;;) {
            int t = total.get();
            if (t >= max) {
                return false;
            }
            if (total.compareAndSet(t, t + 1)) {
                return true;
            }
        }
    }

    /** Adds a connection opened under {@link #reserve()} as free (keeping minReaders). */
    void addFree(PoolEntry e, long nowNanos) {
        all.add(e);
        requite(e, nowNanos, false);
    }

    /**
     * Takes a connection back. A waiting borrower gets it straight from this thread, still in use, so it changes
     * hands without ever being free; otherwise it becomes free and goes on this thread's list, where this thread will
     * find it first next time. Were it free during the hand-off, the thread that returned it, running while the
     * waiter is still being woken, would find it free on its next borrow and take it back: under CPU load one
     * waiter was passed that way for its whole 30 s acquire timeout by threads that kept returning and borrowing.
     */
    void requite(PoolEntry e, long nowNanos, boolean remember) {
        for (int i = 0; waiters.get() > 0; i++) {
            if (handoff.offer(e)) {
                return;
            }
            if ((i & 0xff) == 0xff) {
                LockSupport.parkNanos(10_000);
            } else {
                Thread.yield();
            }
        }
        e.setFree(nowNanos);
        if (remember) {
            ArrayList<PoolEntry> mine = local.get();
            if (mine.size() < LOCAL_MAX) {
                mine.add(e);
            }
        }
    }

    /** Forgets a connection that was borrowed or reserved and is being closed; frees its room. */
    void remove(PoolEntry e) {
        e.setRemoved();
        if (all.remove(e)) {
            total.decrementAndGet();
        }
    }

    /** Frees the room claimed by {@link #reserve()} for a connection that was never added. */
    void unreserve() {
        total.decrementAndGet();
    }

    /** True when open connections exceed the limit, so a returning one should close instead. */
    boolean overLimit() {
        return total.get() > max;
    }

    List<PoolEntry> entries() {
        return all;
    }

    /** Free connections that {@code test} selects, reserved for closing (oldest first), leaving at least min open. */
    List<PoolEntry> reserveFree(java.util.function.Predicate<PoolEntry> test, boolean keepMin) {
        List<PoolEntry> out = new ArrayList<>();
        for (PoolEntry e : all) {
            if (keepMin && total.get() - out.size() <= min) {
                break;
            }
            if (e.state() == PoolEntry.FREE && test.test(e) && e.compareAndSet(PoolEntry.FREE, PoolEntry.RESERVED)) {
                out.add(e);
            }
        }
        return out;
    }

    int missing() {
        return Math.max(0, min - total.get());
    }

    /**
     * Sets new limits and returns the free connections above the new maximum, already removed, for the caller to
     * close; borrowed ones above it close when they come back ({@link #overLimit()}).
     */
    List<PoolEntry> limit(int newMax, int newMin) {
        max = newMax;
        min = newMin;
        int[] excess = {total.get() - newMax};
        if (excess[0] <= 0) {
            return List.of();
        }
        List<PoolEntry> out = reserveFree(x -> excess[0]-- > 0, false);
        out.forEach(this::remove);
        return out;
    }

    int max() {
        return max;
    }

    int min() {
        return min;
    }

    int total() {
        return total.get();
    }

    int waiters() {
        return waiters.get();
    }
}
