package dev.poolwatch.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The op ids of one run's acknowledged writes, one bit each. Ids are handed out in order from a base, so a long run
 * of millions of writes costs megabytes here where a set of boxed longs would take gigabytes.
 */
final class OpIdSet {
    private static final int CHUNK_BITS = 1 << 20;

    private final long base;
    private final ConcurrentHashMap<Long, AtomicLongArray> chunks = new ConcurrentHashMap<>();

    OpIdSet(long base) {
        this.base = base;
    }

    void add(long id) {
        long offset = id - base;
        if (offset < 0) {
            throw new IllegalArgumentException("op id " + id + " is below the run's first id " + base);
        }
        AtomicLongArray chunk = chunks.computeIfAbsent(offset / CHUNK_BITS, k -> new AtomicLongArray(CHUNK_BITS / 64));
        int bit = (int) (offset % CHUNK_BITS);
        long mask = 1L << (bit % 64);
        long old;
        do {
            old = chunk.get(bit / 64);
        } while ((old & mask) == 0 && !chunk.compareAndSet(bit / 64, old, old | mask));
    }

    boolean contains(long id) {
        long offset = id - base;
        if (offset < 0) {
            return false;
        }
        AtomicLongArray chunk = chunks.get(offset / CHUNK_BITS);
        int bit = (int) (offset % CHUNK_BITS);
        return chunk != null && (chunk.get(bit / 64) & (1L << (bit % 64))) != 0;
    }

    long size() {
        long n = 0;
        for (AtomicLongArray chunk : chunks.values()) {
            for (int i = 0; i < chunk.length(); i++) {
                n += Long.bitCount(chunk.get(i));
            }
        }
        return n;
    }
}
