package dev.poolwatch.pool;

/**
 * Counts one role's connections for {@link PoolStats}: one pass over the entries, so that {@code active + idle ==
 * total} holds by construction, without stopping anyone from borrowing or returning meanwhile.
 */
final class RoleStatsSnapshot {

    private RoleStatsSnapshot() {
    }

    static PoolStats.RoleStats writer(PoolEntry w, int pending, RoleCounters c, long now) {
        ProxyConnection p = w == null ? null : w.borrow;
        int active = p != null ? 1 : 0;
        int total = w != null ? 1 : 0;
        return new PoolStats.RoleStats(Math.max(total, active), active, Math.max(0, total - active), pending, 1, 1,
                c.acquires.sum(), c.timeouts.sum(), c.created.sum(), c.closed.sum(),
                p != null ? now - p.borrowedNanos : 0);
    }

    static PoolStats.RoleStats readers(ReaderBag bag, int pending, RoleCounters c, long now) {
        int active = 0;
        int idle = 0;
        long oldest = 0;
        for (PoolEntry e : bag.entries()) {
            int s = e.state();
            if (s == PoolEntry.IN_USE) {
                active++;
                ProxyConnection p = e.borrow;
                if (p != null) {
                    oldest = Math.max(oldest, now - p.borrowedNanos);
                }
            } else if (s == PoolEntry.FREE) {
                idle++;
            }
        }
        return new PoolStats.RoleStats(active + idle, active, idle, pending, bag.max(), bag.min(),
                c.acquires.sum(), c.timeouts.sum(), c.created.sum(), c.closed.sum(), oldest);
    }
}
