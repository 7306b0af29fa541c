package dev.poolwatch.pool;

import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls every attached listener in turn; one that throws is logged and does not stop the others or the pool. */
final class Listeners implements PoolListener {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final PoolListener[] all;

    Listeners(List<PoolListener> all) {
        this.all = all.toArray(new PoolListener[0]);
    }

    private static void failed(PoolListener l, RuntimeException e) {
        log.warn("pool listener {} failed", l.getClass().getName(), e);
    }

    @Override
    public void acquired(Role role, long waitNanos) {
        for (PoolListener l : all) {
            try { l.acquired(role, waitNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void released(Role role, long heldNanos) {
        for (PoolListener l : all) {
            try { l.released(role, heldNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void timedOut(Role role, long waitNanos) {
        for (PoolListener l : all) {
            try { l.timedOut(role, waitNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void connectionCreated(Role role, long creationNanos) {
        for (PoolListener l : all) {
            try { l.connectionCreated(role, creationNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void connectionClosed(Role role, CloseReason reason) {
        for (PoolListener l : all) {
            try { l.connectionClosed(role, reason); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void resized(int oldMaxReaders, int newMaxReaders) {
        for (PoolListener l : all) {
            try { l.resized(oldMaxReaders, newMaxReaders); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void leakSuspected(Role role, long heldNanos, String borrowerThread, Throwable borrowSite) {
        for (PoolListener l : all) {
            try { l.leakSuspected(role, heldNanos, borrowerThread, borrowSite); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void leakReclaimed(Role role, long heldNanos) {
        for (PoolListener l : all) {
            try { l.leakReclaimed(role, heldNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void error(Role role, ErrorKind kind, SQLException cause) {
        for (PoolListener l : all) {
            try { l.error(role, kind, cause); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void restarted(long durationNanos) {
        for (PoolListener l : all) {
            try { l.restarted(durationNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void stateChanged(PoolState from, PoolState to) {
        for (PoolListener l : all) {
            try { l.stateChanged(from, to); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void checkpointed(CheckpointResult result) {
        for (PoolListener l : all) {
            try { l.checkpointed(result); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void quickChecked(QuickCheckResult result) {
        for (PoolListener l : all) {
            try { l.quickChecked(result); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void transactionEnded(boolean committed, long durationNanos) {
        for (PoolListener l : all) {
            try { l.transactionEnded(committed, durationNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void writeLockWaited(long waitNanos) {
        for (PoolListener l : all) {
            try { l.writeLockWaited(waitNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void batchQueueWaited(long waitNanos) {
        for (PoolListener l : all) {
            try { l.batchQueueWaited(waitNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }

    @Override
    public void batchCommitted(int size, long commitNanos) {
        for (PoolListener l : all) {
            try { l.batchCommitted(size, commitNanos); } catch (RuntimeException e) { failed(l, e); }
        }
    }
}
