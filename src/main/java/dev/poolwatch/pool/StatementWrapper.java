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
            ((Statement) delegate).close();
        } catch (SQLException e) {
            throw owner.failed(e);
        }
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
        return raw == null ? null : new ProxyResultSet(owner, raw, this);
    }
}
