package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What every statement wrapper does beyond delegation: it closes once and leaves its owner's list, answers
 * {@code getConnection()} with the caller's connection, and wraps the result sets it hands out so that
 * {@code rs.getStatement()} leads back to it.
 */
abstract class StatementWrapper extends JdbcWrapper implements Statement {

    /** The driver's result set this statement last handed out (sqlite-jdbc has one per statement), or null. */
    ResultSet results;

    StatementWrapper(JdbcOwner owner, Statement delegate) {
        super(owner, delegate);
    }

    @Override
    final String kind() {
        return "statement";
    }

    @Override
    public final void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        owner.untrack(this);
        try {
            release();
        } catch (SQLException e) {
            throw owner.failed(e);
        }
    }

    /** Lets go of the driver's statement once the caller closed this one: closes it, unless a subclass keeps it. */
    void release() throws SQLException {
        ((Statement) delegate).close();
    }

    @Override
    public final boolean isClosed() throws SQLException {
        if (closed) {
            return true;
        }
        try {
            return ((Statement) delegate).isClosed();
        } catch (SQLException e) {
            throw owner.failed(e);
        }
    }

    @Override
    public final Connection getConnection() throws SQLException {
        checkOpen();
        return owner.connection();
    }

    final ProxyResultSet wrap(ResultSet raw) {
        if (raw == null) {
            return null;
        }
        results = raw;
        return new ProxyResultSet(owner, raw, this);
    }
}
