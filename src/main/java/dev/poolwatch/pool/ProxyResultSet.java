package dev.poolwatch.pool;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The caller's {@link ResultSet}. One made by a statement leads back to that statement's wrapper and dies with it;
 * one made by {@link java.sql.DatabaseMetaData} has no statement (JDBC says so) and is tracked by the owner instead,
 * because an open metadata result set holds a read snapshot that must not outlive the borrow.
 */
final class ProxyResultSet extends ResultSetDelegate {

    /** Our statement wrapper, or null for a metadata result set. */
    private final Statement statement;

    ProxyResultSet(JdbcOwner owner, ResultSet delegate, Statement statement) {
        super(owner, delegate);
        this.statement = statement;
    }

    /** A metadata result set, tracked by the owner until it is closed. */
    static ProxyResultSet tracked(JdbcOwner owner, ResultSet raw) {
        if (raw == null) {
            return null;
        }
        ProxyResultSet rs = new ProxyResultSet(owner, raw, null);
        owner.track(rs);
        return rs;
    }

    @Override
    String kind() {
        return "result set";
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (statement == null) {
            owner.untrack(this);
        }
        try {
            ((ResultSet) delegate).close();
        } catch (SQLException e) {
            throw owner.failed(e);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        if (closed) {
            return true;
        }
        try {
            return ((ResultSet) delegate).isClosed();
        } catch (SQLException e) {
            throw owner.failed(e);
        }
    }
}
