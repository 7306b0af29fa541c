package dev.poolwatch.pool;

import java.sql.Connection;

/** A physical SQLite connection and what the pool knows about it. Owned by one {@link Lane}. */
final class PooledConnection {
    final Connection raw;
    final Role role;
    final long createdNanos;
    final int generation;

    /** Written under the lane lock when the connection goes idle. */
    long idleSinceNanos;

    volatile long borrowedNanos;
    volatile Thread borrower;
    volatile String borrowerThread;
    volatile Throwable borrowSite;
    volatile boolean leakReported;
    volatile boolean broken;
    volatile ConnectionHandle handle;

    PooledConnection(Connection raw, Role role, long createdNanos, int generation) {
        this.raw = raw;
        this.role = role;
        this.createdNanos = createdNanos;
        this.generation = generation;
        this.idleSinceNanos = createdNanos;
    }

    void markBorrowed(long nowNanos, boolean captureSite) {
        borrowedNanos = nowNanos;
        borrower = Thread.currentThread();
        borrowerThread = borrower.getName();
        borrowSite = captureSite ? new Throwable("connection borrowed here") : null;
        leakReported = false;
    }

    @Override
    public String toString() {
        return role.tag() + "@" + Integer.toHexString(System.identityHashCode(this));
    }
}
