package dev.poolwatch.load;

/** One burst worker's count of operations: says when the worker must pause and meet the others before its next one. */
final class BurstCount {
    private final int opsPerBurst;
    private int left;

    BurstCount(int opsPerBurst) {
        if (opsPerBurst < 1) {
            throw new IllegalArgumentException("opsPerBurst must be >= 1, was " + opsPerBurst);
        }
        this.opsPerBurst = opsPerBurst;
    }

    /** Called before each operation; true when a burst begins with it (so first, and after every opsPerBurst). */
    boolean beginsBurst() {
        if (left > 0) {
            left--;
            return false;
        }
        left = opsPerBurst - 1;
        return true;
    }
}
