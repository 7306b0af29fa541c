package dev.poolwatch.pool;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The caller's {@link PreparedStatement}: plain delegation (generated) plus the rules of {@link StatementWrapper}.
 * One made from the connection's {@link StatementCache} goes back there when closed, unless the caller did something
 * the cache cannot undo: held the driver's own statement through {@code unwrap}, asked for generated keys (a second
 * statement of the driver's), left a result of {@code execute()} unread, or asked for it not to be pooled.
 */
final class ProxyPreparedStatement extends PreparedStatementDelegate {

    /** The SQL it was cached under, or null when it is closed for good instead. */
    private String cacheKey;
    /** execute() said a result set is there and the caller has not asked for it: the driver believes it is stepped. */
    private boolean resultsUnread;
    private boolean poolable = true;

    ProxyPreparedStatement(JdbcOwner owner, PreparedStatement delegate, String cacheKey) {
        super(owner, delegate);
        this.cacheKey = cacheKey;
    }

    @Override
    void release() throws SQLException {
        if (cacheKey != null && poolable && !resultsUnread) {
            ((ConnectionBase) owner).recycle(cacheKey, (PreparedStatement) delegate, results);
        } else {
            super.release();
        }
    }

    @Override
    void exposed() {
        cacheKey = null;
    }

    @Override
    public boolean execute() throws SQLException {
        boolean hasResults = super.execute();
        resultsUnread = hasResults;
        return hasResults;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        ResultSet rs = super.executeQuery();
        resultsUnread = false;
        return rs;
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        ResultSet rs = super.getResultSet();
        resultsUnread = false;
        return rs;
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        cacheKey = null;
        return super.getGeneratedKeys();
    }

    /** JDBC's hint that the statement should not be kept, which this pool honours; the driver ignores it. */
    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        this.poolable = poolable;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return poolable;
    }
}
