package dev.poolwatch.load;

import dev.poolwatch.pool.PoolListener;
import dev.poolwatch.pool.Role;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * A diagnostic listener for one benchmark cell: it timestamps every borrow and return of the writer and every
 * group-commit batch, so that the page can say how much of a cell the one writer was held, how long it stood free
 * while the next holder was already waiting for it (the hand-over to a parked thread), and how full the batches were.
 * It is never attached to a compared cell: its callbacks run on the writer's path.
 */
final class WriterTimeline implements PoolListener {

    private final LongSupplier clock;
    private final long[] acquiredAt;
    private final long[] waits;
    private final long[] heldNanos;
    private final long[] batchEndedAt;
    private final long[] batchNanos;
    private final int[] batchSizes;
    private final AtomicInteger acquires = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private final AtomicInteger batches = new AtomicInteger();
    /**
     * The last transaction's duration, kept for the batchCommitted that follows it on the same thread: the batch
     * writer reports both, one after the other. A cell that also wrote outside group commit would mix them up, so
     * batches are only read from cells that write through writeBatched alone.
     */
    private long lastTransactionNanos;

    WriterTimeline(int capacity, LongSupplier clock) {
        this.clock = clock;
        acquiredAt = new long[capacity];
        waits = new long[capacity];
        heldNanos = new long[capacity];
        batchEndedAt = new long[capacity];
        batchNanos = new long[capacity];
        batchSizes = new int[capacity];
    }

    @Override
    public void acquired(Role role, long waitNanos) {
        if (role == Role.WRITER) {
            int i = acquires.getAndIncrement();
            if (i < acquiredAt.length) {
                acquiredAt[i] = clock.getAsLong();
                waits[i] = waitNanos;
            }
        }
    }

    @Override
    public void released(Role role, long heldNanos) {
        if (role == Role.WRITER) {
            int i = releases.getAndIncrement();
            if (i < this.heldNanos.length) {
                this.heldNanos[i] = heldNanos;
            }
        }
    }

    @Override
    public void transactionEnded(boolean committed, long durationNanos) {
        lastTransactionNanos = durationNanos;
    }

    @Override
    public void batchCommitted(int size, long commitNanos) {
        int i = batches.getAndIncrement();
        if (i < batchSizes.length) {
            batchEndedAt[i] = clock.getAsLong();
            batchNanos[i] = lastTransactionNanos;
            batchSizes[i] = size;
        }
    }

    /**
     * Writer borrows that began at or after {@code fromNanos}, in the order they held the writer. A borrow's end is
     * its start plus the hold the pool reported, not the time of the release callback, which runs after the writer
     * was given back and can come after the next holder's acquire callback.
     */
    Holds holds(long fromNanos) {
        int n = Math.min(Math.min(acquires.get(), releases.get()), acquiredAt.length);
        int first = 0;
        while (first < n && acquiredAt[first] < fromNanos) {
            first++;
        }
        if (n - first < 2) {
            return null;
        }
        int count = n - first;
        long[] held = Arrays.copyOfRange(heldNanos, first, n);
        long[] wait = Arrays.copyOfRange(waits, first, n);
        long[] gaps = new long[count - 1];
        long heldSum = 0;
        long handOver = 0;
        for (int i = 0; i < count; i++) {
            heldSum += held[i];
            if (i + 1 < count) {
                long gap = Math.max(0, acquiredAt[first + i + 1] - (acquiredAt[first + i] + held[i]));
                gaps[i] = gap;
                // The part of the gap in which the next holder was already asking for the writer.
                handOver += Math.min(gap, wait[i + 1]);
            }
        }
        double span = acquiredAt[n - 1] + held[count - 1] - acquiredAt[first];
        double heldShare = Math.min(1, heldSum / span);
        double handOverShare = Math.min(1 - heldShare, handOver / span);
        return new Holds(count, heldShare, handOverShare, 1 - heldShare - handOverShare, quantile(held, 0.5),
                quantile(held, 0.99), quantile(gaps, 0.5), quantile(gaps, 0.99), quantile(wait, 0.5),
                quantile(wait, 0.99));
    }

    /** Group-commit batches that ended from {@code fromNanos} on, against the cell's time up to {@code toNanos}. */
    Batches batches(long fromNanos, long toNanos) {
        int n = Math.min(batches.get(), batchSizes.length);
        long busy = 0;
        int count = 0;
        int ofOne = 0;
        long callers = 0;
        long[] sizes = new long[n];
        for (int i = 0; i < n; i++) {
            if (batchEndedAt[i] < fromNanos) {
                continue;
            }
            busy += batchNanos[i];
            sizes[count++] = batchSizes[i];
            callers += batchSizes[i];
            if (batchSizes[i] == 1) {
                ofOne++;
            }
        }
        if (count == 0) {
            return null;
        }
        return new Batches(count, (double) busy / (toNanos - fromNanos), (double) callers / count,
                quantile(Arrays.copyOf(sizes, count), 0.5), (double) ofOne / count);
    }

    static long quantile(long[] values, double q) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * q))];
    }

    /**
     * The writer's timeline over a cell: the shares of it the writer was held, stood free while the next holder was
     * already waiting, and stood free with nobody waiting; and the hold, gap and wait quantiles in nanoseconds.
     */
    record Holds(int count, double heldShare, double handOverShare, double idleShare, long holdP50, long holdP99,
                 long gapP50, long gapP99, long waitP50, long waitP99) {
    }

    /** The batch writer over a cell: the share of it spent inside a batch's transaction, and how full batches were. */
    record Batches(int count, double busyShare, double meanSize, long medianSize, double shareOfOne) {
    }
}
