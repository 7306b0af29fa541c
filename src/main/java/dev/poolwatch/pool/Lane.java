package dev.poolwatch.pool;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The connections of one role. A semaphore holds one permit per connection the role may have: a caller first
 * takes a permit (FIFO among waiters on the writer lane), then an idle connection or, when none
 * is idle, the right to open one. Because a connection is only opened under a permit and only when none is idle,
 * {@code active + idle} never exceeds {@code max}.
 */
final class Lane {

    /** A semaphore whose size can shrink while permits are out. */
    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits, boolean fair) {
            super(permits, fair);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }

    final Role role;
    private final Permits permits;
    private final ReentrantLock lock = new ReentrantLock();
    /** Head is the most recently returned: hot connections are reused, cold ones age out at the tail. */
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    private final List<PooledConnection> active = new ArrayList<>();
    private final AtomicInteger pending = new AtomicInteger();
    private int max;
    private int min;

    final LongAdder acquires = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder created = new LongAdder();
    final LongAdder closed = new LongAdder();

    Lane(Role role, int max, int min) {
        this.role = role;
        this.max = max;
        this.min = min;
        // The writer's FIFO order is a promise; readers trade strict order for less hand-off under contention.
        this.permits = new Permits(max, role == Role.WRITER);
    }

    boolean tryAcquire(long timeoutNanos) throws InterruptedException {
        pending.incrementAndGet();
        try {
            return permits.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS);
        } finally {
            pending.decrementAndGet();
        }
    }

    /** Takes a permit only if one is free and nobody is queued before us. */
    boolean tryAcquireNow() {
        try {
            return permits.tryAcquire(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void release() {
        permits.release();
    }

    void release(int n) {
        if (n > 0) {
            permits.release(n);
        }
    }

    /** Moves the most recently used idle connection to active, or returns null when none is idle. */
    PooledConnection pollIdle() {
        lock.lock();
        try {
            PooledConnection pc = idle.pollFirst();
            if (pc != null) {
                active.add(pc);
            }
            return pc;
        } finally {
            lock.unlock();
        }
    }

    void addActive(PooledConnection pc) {
        lock.lock();
        try {
            active.add(pc);
        } finally {
            lock.unlock();
        }
    }

    /** Adds a connection opened outside a borrow (to keep minReaders) straight to idle, if there is room. */
    boolean addIdle(PooledConnection pc, long nowNanos) {
        lock.lock();
        try {
            if (idle.size() + active.size() >= max) {
                return false;
            }
            pc.idleSinceNanos = nowNanos;
            idle.addFirst(pc);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes a borrowed connection back. Returns true when it went to idle; false when the caller must close it
     * (not reusable, or the lane shrank below what is open).
     */
    boolean checkIn(PooledConnection pc, boolean reusable, long nowNanos) {
        lock.lock();
        try {
            boolean wasActive = active.remove(pc);
            if (!wasActive || !reusable || idle.size() + active.size() >= max) {
                return false;
            }
            pc.idleSinceNanos = nowNanos;
            idle.addFirst(pc);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets a borrowed connection without returning it to idle; true if it was still active. */
    boolean removeActive(PooledConnection pc) {
        lock.lock();
        try {
            return active.remove(pc);
        } finally {
            lock.unlock();
        }
    }

    List<PooledConnection> takeAllIdle() {
        lock.lock();
        try {
            List<PooledConnection> all = new ArrayList<>(idle);
            idle.clear();
            return all;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes idle connections that should close: older than {@code maxLifetimeNanos} (0 = no limit) or from an old
     * generation, then, oldest idle first, those idle longer than {@code idleTimeoutNanos} while more than min are open.
     */
    List<PooledConnection> takeRetired(long nowNanos, long idleTimeoutNanos, long maxLifetimeNanos, int generation) {
        lock.lock();
        try {
            List<PooledConnection> out = new ArrayList<>();
            for (Iterator<PooledConnection> it = idle.iterator(); it.hasNext(); ) {
                PooledConnection pc = it.next();
                if (pc.generation != generation
                        || (maxLifetimeNanos > 0 && nowNanos - pc.createdNanos > maxLifetimeNanos)) {
                    it.remove();
                    out.add(pc);
                }
            }
            for (Iterator<PooledConnection> it = idle.descendingIterator(); it.hasNext(); ) {
                PooledConnection pc = it.next();
                if (idle.size() + active.size() <= min || nowNanos - pc.idleSinceNanos <= idleTimeoutNanos) {
                    break;
                }
                it.remove();
                out.add(pc);
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** How many connections must be opened to reach min. */
    int missing() {
        lock.lock();
        try {
            return Math.max(0, min - idle.size() - active.size());
        } finally {
            lock.unlock();
        }
    }

    List<PooledConnection> activeSnapshot() {
        lock.lock();
        try {
            return new ArrayList<>(active);
        } finally {
            lock.unlock();
        }
    }

    int activeCount() {
        lock.lock();
        try {
            return active.size();
        } finally {
            lock.unlock();
        }
    }

    int max() {
        lock.lock();
        try {
            return max;
        } finally {
            lock.unlock();
        }
    }

    /** Changes the limits; returns idle connections beyond the new max, which the caller closes. */
    List<PooledConnection> resize(int newMax, int newMin) {
        lock.lock();
        try {
            int delta = newMax - max;
            max = newMax;
            min = newMin;
            if (delta > 0) {
                permits.release(delta);
            } else if (delta < 0) {
                permits.reduce(-delta);
            }
            List<PooledConnection> excess = new ArrayList<>();
            while (!idle.isEmpty() && idle.size() + active.size() > max) {
                excess.add(idle.pollLast());
            }
            return excess;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes every permit of the lane, queueing behind the callers already waiting, until the deadline. Returns how
     * many it got; the caller gives them back with {@link #release(int)}.
     */
    int drain(long deadlineNanos) {
        int wanted = max();
        int got = 0;
        try {
            while (got < wanted) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0 || !permits.tryAcquire(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
                got++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return got;
    }

    /** Wakes every waiter so that it sees the pool closed; the lane is never used to hand out again. */
    void wakeAllForClose() {
        permits.release(1 << 28);
    }

    PoolStats.RoleStats stats() {
        lock.lock();
        try {
            int a = active.size();
            int i = idle.size();
            long now = System.nanoTime();
            long oldest = 0;
            for (PooledConnection pc : active) {
                oldest = Math.max(oldest, now - pc.borrowedNanos);
            }
            return new PoolStats.RoleStats(a + i, a, i, pending.get(), max, min,
                    acquires.sum(), timeouts.sum(), created.sum(), closed.sum(), oldest);
        } finally {
            lock.unlock();
        }
    }

    String describe() {
        PoolStats.RoleStats s = stats();
        return "total=" + s.total() + ", active=" + s.active() + ", idle=" + s.idle() + ", waiting=" + s.pending();
    }
}
