package dev.poolwatch.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Admission to the one writer, with bounded barging. A thread that arrives while the writer is free takes it at once,
 * unless the oldest waiter has already waited {@code boundNanos}: then it queues like everyone else, and the thread
 * that releases hands the writer straight to that waiter. So a burst of writes runs back to back on whichever thread
 * is running (no hand-off to a parked thread, no context switch per write), and no waiter is ever passed once it has
 * waited past the bound. Waiters are served in arrival order among themselves.
 */
final class WriterGate {

    /** One queued thread. */
    static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long sinceNanos;
        /** Set by the releasing thread when it hands the writer over; the waiter then holds it. */
        volatile boolean granted;
        volatile boolean parked;

        Waiter(long sinceNanos) {
            this.sinceNanos = sinceNanos;
        }
    }

    private static final VarHandle HELD;
    private static final int SPINS = 32;

    static {
        try {
            HELD = MethodHandles.lookup().findVarHandle(WriterGate.class, "held", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConcurrentLinkedQueue<Waiter> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private final LongSupplier clock;
    private final long boundNanos;
    @SuppressWarnings("unused") // through HELD
    private volatile int held;
    /** The thread holding the writer, to refuse a second borrow on the same thread at once instead of deadlocking. */
    private volatile Thread owner;
    private volatile boolean closed;

    /** Releases that left the writer free for whoever comes first although threads were queued. */
    final LongAdder leftFree = new LongAdder();
    /** Releases that handed the writer straight to a waiter past the bound. */
    final LongAdder handedOff = new LongAdder();

    WriterGate(long boundNanos, LongSupplier clock) {
        this.boundNanos = boundNanos;
        this.clock = clock;
    }

    boolean heldBy(Thread t) {
        return owner == t;
    }

    int waiting() {
        return waiting.get();
    }

    /** Takes the writer if it is free and barging is allowed now; never waits. */
    boolean tryAcquire() {
        if (HELD.compareAndSet(this, 0, 1)) {
            Waiter head = queue.peek();
            if (head == null || clock.getAsLong() - head.sinceNanos < boundNanos) {
                owned();
                return true;
            }
            // The oldest waiter is past the bound: it must have the writer, not us.
            handOver();
        }
        return false;
    }

    /** Takes the writer within {@code timeoutNanos}; false on time-out. */
    boolean acquire(long timeoutNanos) throws InterruptedException {
        if (tryAcquire()) {
            return true;
        }
        for (int i = 0; i < SPINS; i++) {
            Thread.onSpinWait();
            if (held == 0 && queue.isEmpty() && tryAcquire()) {
                return true;
            }
        }
        long start = clock.getAsLong();
        Waiter me = new Waiter(start);
        waiting.incrementAndGet();
        queue.add(me);
        try {
            long deadline = start + timeoutNanos;
            for (;;) {
                if (me.granted) {
                    owned();
                    return true;
                }
                // Only the head competes with arrivals; a hand-over happens while the writer is held, so winning
                // this CAS means nobody is handing it to us at the same moment.
                if (queue.peek() == me && HELD.compareAndSet(this, 0, 1)) {
                    queue.remove(me);
                    owned();
                    return true;
                }
                long left = deadline - clock.getAsLong();
                if (left <= 0 || closed) {
                    return leave(me);
                }
                me.parked = true;
                if (!me.granted && !(queue.peek() == me && held == 0)) {
                    LockSupport.parkNanos(this, left);
                }
                me.parked = false;
                if (Thread.interrupted()) {
                    if (leave(me)) {
                        release();
                    }
                    throw new InterruptedException();
                }
            }
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Leaves the queue on time-out or interrupt; true if the writer was handed to us meanwhile after all. */
    private boolean leave(Waiter me) {
        if (queue.remove(me)) {
            if (queue.peek() != null && held == 0) {
                wake(queue.peek());
            }
            return false;
        }
        awaitGrant(me);
        owned();
        return true;
    }

    private static void awaitGrant(Waiter me) {
        while (!me.granted) {
            Thread.onSpinWait();
        }
    }

    private void owned() {
        owner = Thread.currentThread();
    }

    /** Gives the writer back: straight to the oldest waiter if it is past the bound, otherwise free for anyone. */
    void release() {
        owner = null;
        handOver();
    }

    private void handOver() {
        for (;;) {
            Waiter head = queue.peek();
            if (head != null && clock.getAsLong() - head.sinceNanos >= boundNanos) {
                if (queue.remove(head)) {
                    handedOff.increment();
                    head.granted = true;
                    LockSupport.unpark(head.thread);
                    return;
                }
                continue;
            }
            HELD.setVolatile(this, 0);
            // Read the head again: the one seen above may have left meanwhile, and a waiter that queued after this
            // read sees the writer free by itself.
            Waiter next = queue.peek();
            if (next != null) {
                leftFree.increment();
                wake(next);
            }
            return;
        }
    }

    private static void wake(Waiter w) {
        if (w.parked) {
            LockSupport.unpark(w.thread);
        }
    }

    /** Fails every waiter at once (they see the pool closed); arrivals may still take a free writer. */
    void close() {
        closed = true;
        wakeAll();
    }

    private void wakeAll() {
        for (Waiter w : queue) {
            LockSupport.unpark(w.thread);
        }
    }
}
