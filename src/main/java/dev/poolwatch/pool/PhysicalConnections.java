package dev.poolwatch.pool;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;

/**
 * Opens and closes the driver's connections, counts them per role and tells the listener; a connection opened while
 * the pool closed is closed again at once instead of being lent.
 */
final class PhysicalConnections {
    private static final Logger log = LoggerFactory.getLogger(PhysicalConnections.class);

    private final SqlitePool pool;
    private final ConnectionFactory factory;
    private final Lifecycle lifecycle;
    private final ErrorRecorder errors;
    final RoleCounters writerCounts = new RoleCounters();
    final RoleCounters readerCounts = new RoleCounters();

    PhysicalConnections(SqlitePool pool, ConnectionFactory factory, Lifecycle lifecycle, ErrorRecorder errors) {
        this.pool = pool;
        this.factory = factory;
        this.lifecycle = lifecycle;
        this.errors = errors;
    }

    RoleCounters counts(Role role) {
        return role == Role.READER ? readerCounts : writerCounts;
    }

    /** Physical connections open now, of both roles. */
    long openCount() {
        return writerCounts.openCount() + readerCounts.openCount();
    }

    PoolEntry open(Role role, int generation) throws SQLException {
        long start = System.nanoTime();
        SQLiteConnection raw;
        try {
            raw = (SQLiteConnection) factory.open(role);
        } catch (SQLException e) {
            errors.record(role, e);
            throw new SQLNonTransientConnectionException("pool '" + pool.name() + "' - cannot open a " + role.tag()
                    + " connection to " + pool.config().path() + ": " + e.getMessage(), "08001", e.getErrorCode(), e);
        }
        long now = System.nanoTime();
        counts(role).created.increment();
        pool.listener().connectionCreated(role, now - start);
        PoolEntry e = new PoolEntry(raw, role, now, generation);
        if (lifecycle.closed()) {
            close(e, PoolListener.CloseReason.POOL_CLOSED);
            throw new PoolClosedException(pool.name());
        }
        return e;
    }

    void close(PoolEntry e, PoolListener.CloseReason reason) {
        e.setRemoved();
        try {
            e.raw.close();
        } catch (SQLException ex) {
            log.debug("pool '{}' could not close a {} connection cleanly", pool.name(), e.role.tag(), ex);
        }
        counts(e.role).closed.increment();
        pool.listener().connectionClosed(e.role, reason);
    }
}
