package dev.poolwatch.pool;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds borrows held past leakDetectionThreshold and, when asked, takes back those past leakReclaimTimeout. Everything it
 * reads belongs to one borrow (its {@link ProxyConnection}), and a reclaim is a CAS on that borrow's state, so a
 * borrow that ended a moment ago is never reported with the next holder's thread, nor is the next holder's
 * connection taken. One concise log line per leak; the stack trace only where it shows the borrow site.
 */
final class LeakDetector {
    private static final Logger log = LoggerFactory.getLogger(LeakDetector.class);

    private final SqlitePool pool;
    private final ConnectionBroker broker;
    /** Borrow sites whose stack trace was logged already: a leak from the same place is logged without it. */
    private final java.util.Set<Integer> loggedSites = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final int MAX_SITES = 1024;
    final LongAdder suspected = new LongAdder();
    final LongAdder reclaimed = new LongAdder();

    LeakDetector(SqlitePool pool, ConnectionBroker broker) {
        this.pool = pool;
        this.broker = broker;
    }

    void check(SqlitePool.Timing t, long now) {
        for (PoolEntry e : broker.readers.entries()) {
            check(e.borrow, t, now);
        }
        PoolEntry w = broker.writerEntry();
        if (w != null) {
            check(w.borrow, t, now);
        }
    }

    private void check(ProxyConnection p, SqlitePool.Timing t, long now) {
        if (p == null || p.state() != ProxyConnection.OPEN && p.state() != ProxyConnection.CALLER_CLOSED) {
            return;
        }
        long held = now - p.borrowedNanos;
        if (t.leakDetection() > 0 && held > t.leakDetection() && !p.leakReported) {
            p.leakReported = true;
            suspected.increment();
            Role role = p.entry.role;
            if (p.borrowSite != null && firstTimeAt(p.borrowSite)) {
                log.warn("pool '{}' - connection leak suspected: a {} connection has been held for {} ms by thread"
                        + " '{}'", pool.name(), role.tag(), TimeUnit.NANOSECONDS.toMillis(held), p.borrower.getName(),
                        p.borrowSite);
            } else {
                log.warn("pool '{}' - connection leak suspected: a {} connection has been held for {} ms by thread"
                        + " '{}' ({})", pool.name(), role.tag(), TimeUnit.NANOSECONDS.toMillis(held),
                        p.borrower.getName(), p.borrowSite != null ? "borrowed at " + callerFrame(p.borrowSite)
                        + ", whose stack trace was logged before" : "set leakDetectionStackTraces to log where it was"
                        + " borrowed");
            }
            pool.listener().leakSuspected(role, held, p.borrower.getName(), p.borrowSite != null ? p.borrowSite
                    : whereItIsNow(p));
        }
    }

    private static final java.util.Set<String> BORROW_PATH = java.util.Set.of(ProxyConnection.class.getName(),
            ConnectionBroker.class.getName(), SqlitePool.class.getName(), RoleDataSource.class.getName());

    /** The first frame after the pool's own borrow path: where the caller borrowed. */
    private static StackTraceElement callerFrame(Throwable site) {
        StackTraceElement[] frames = site.getStackTrace();
        int last = -1;
        for (int i = 0; i < frames.length; i++) {
            if (BORROW_PATH.contains(frames[i].getClassName())) {
                last = i;
            }
        }
        return last + 1 < frames.length ? frames[last + 1] : null;
    }

    private boolean firstTimeAt(Throwable site) {
        int key = java.util.Arrays.hashCode(site.getStackTrace());
        return loggedSites.size() < MAX_SITES ? loggedSites.add(key) : !loggedSites.contains(key);
    }

    /** The holder's stack now, for listeners, when the borrow site was not recorded. */
    private static Throwable whereItIsNow(ProxyConnection p) {
        Throwable now = new Throwable("stack of thread '" + p.borrower.getName() + "' when the leak was detected; set"
                + " leakDetectionStackTraces(true) to record where connections are borrowed");
        now.setStackTrace(p.borrower.getStackTrace());
        return now;
    }

    /**
     * Takes back, by force, every borrow held longer than leakReclaimTimeout. Returns how many; with no reclaim
     * timeout configured it takes none, so a long but legitimate transaction is never rolled back by a
     * remediation that only knows a leak was suspected.
     */
    int reclaimOverdue(SqlitePool.Timing t, long now) {
        if (t.leakReclaim() <= 0) {
            return 0;
        }
        int n = 0;
        for (PoolEntry e : broker.readers.entries()) {
            n += reclaimIfOverdue(e.borrow, t, now);
        }
        PoolEntry w = broker.writerEntry();
        if (w != null) {
            n += reclaimIfOverdue(w.borrow, t, now);
        }
        return n;
    }

    private int reclaimIfOverdue(ProxyConnection p, SqlitePool.Timing t, long now) {
        return p != null && now - p.borrowedNanos > t.leakReclaim() && reclaim(p, now - p.borrowedNanos) ? 1 : 0;
    }

    boolean reclaim(ProxyConnection p, long held) {
        boolean txWasOpen;
        synchronized (p) {
            txWasOpen = p.txOpen;
            if (!p.reclaim()) {
                return false;
            }
        }
        reclaimed.increment();
        Role role = p.entry.role;
        log.warn("pool '{}' reclaimed a {} connection held for {} ms by thread '{}'; {}", pool.name(), role.tag(),
                TimeUnit.NANOSECONDS.toMillis(held), p.borrower.getName(),
                txWasOpen ? "its open transaction is rolled back" : "no transaction was open on it");
        pool.listener().leakReclaimed(role, held);
        broker.discard(p, PoolListener.CloseReason.RECLAIMED);
        return true;
    }
}
