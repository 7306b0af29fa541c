package dev.poolwatch.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * The pool's life-cycle state and the gate that borrowers pass. A borrower reads one volatile flag; only when the
 * pool is paused, restarting or closed does it take the slow path and wait here (counted as pending). Operations
 * that change what connections exist (restart, evict, resize, reconfigure, refill, close) run one at a time under
 * {@link #admin}; close() marks the pool closed before it takes that lock, so an operation in flight sees it and
 * stops opening connections.
 */
final class Lifecycle {
    final ReentrantLock admin = new ReentrantLock();
    private final AtomicReference<PoolState> state = new AtomicReference<>(PoolState.OPEN);
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition opened = lock.newCondition();
    private final AtomicInteger waitingWriters = new AtomicInteger();
    private final AtomicInteger waitingReaders = new AtomicInteger();
    private final BiConsumer<PoolState, PoolState> onChange;
    private volatile boolean blocked;
    private volatile boolean paused;

    Lifecycle(BiConsumer<PoolState, PoolState> onChange) {
        this.onChange = onChange;
    }

    PoolState state() {
        return state.get();
    }

    boolean closed() {
        return state.get() == PoolState.CLOSED;
    }

    /** The borrower's one check. */
    boolean blocked() {
        return blocked;
    }

    boolean paused() {
        return paused;
    }

    int waiting(Role role) {
        return (role == Role.WRITER ? waitingWriters : waitingReaders).get();
    }

    /** Waits until the pool hands out connections again; false on time-out. Throws if it closes meanwhile. */
    boolean awaitOpen(Role role, long deadlineNanos, String poolName) throws java.sql.SQLException {
        AtomicInteger counter = role == Role.WRITER ? waitingWriters : waitingReaders;
        counter.incrementAndGet();
        lock.lock();
        try {
            while (blocked) {
                if (closed()) {
                    throw new PoolClosedException(poolName);
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                opened.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.sql.SQLTransientConnectionException("pool '" + poolName + "' - interrupted while waiting for a "
                    + role.tag() + " connection", "08001", e);
        } finally {
            lock.unlock();
            counter.decrementAndGet();
        }
    }

    void pause() {
        lock.lock();
        try {
            paused = true;
            if (move(PoolState.OPEN, PoolState.PAUSED)) {
                blocked = true;
            }
        } finally {
            lock.unlock();
        }
    }

    void resume() {
        lock.lock();
        try {
            paused = false;
            if (move(PoolState.PAUSED, PoolState.OPEN)) {
                blocked = false;
                opened.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** OPEN or PAUSED to RESTARTING; false if closed. Called under {@link #admin}. */
    boolean beginRestart() {
        lock.lock();
        try {
            PoolState s = state.get();
            if (s == PoolState.CLOSED) {
                return false;
            }
            blocked = true;
            return move(s, PoolState.RESTARTING);
        } finally {
            lock.unlock();
        }
    }

    void endRestart() {
        lock.lock();
        try {
            if (move(PoolState.RESTARTING, paused ? PoolState.PAUSED : PoolState.OPEN)) {
                blocked = paused;
                opened.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Marks the pool closed and wakes every waiter; false if it already was. */
    boolean close() {
        lock.lock();
        try {
            PoolState s;
            do {
                s = state.get();
                if (s == PoolState.CLOSED) {
                    return false;
                }
            } while (!state.compareAndSet(s, PoolState.CLOSED));
            blocked = true;
            opened.signalAll();
            onChange.accept(s, PoolState.CLOSED);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean move(PoolState from, PoolState to) {
        if (from == to) {
            return true;
        }
        if (state.compareAndSet(from, to)) {
            onChange.accept(from, to);
            return true;
        }
        return false;
    }
}
