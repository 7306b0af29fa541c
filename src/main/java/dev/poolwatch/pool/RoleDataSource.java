package dev.poolwatch.pool;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** The JDBC view of one role: {@code getConnection()} borrows, the connection's {@code close()} gives it back. */
final class RoleDataSource implements DataSource {
    private final SqlitePool pool;
    private final ConnectionBroker broker;
    private final Role role;

    RoleDataSource(SqlitePool pool, ConnectionBroker broker, Role role) {
        this.pool = pool;
        this.broker = broker;
        this.role = role;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return broker.borrow(role, 0, pool.timing().acquireTimeout(), true);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("SQLite has no users; call getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        throw new SQLFeatureNotSupportedException("poolwatch logs through SLF4J");
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        throw new SQLFeatureNotSupportedException("set acquireTimeout on the pool's configuration instead");
    }

    @Override
    public int getLoginTimeout() {
        return (int) TimeUnit.MILLISECONDS.toSeconds(pool.config().acquireTimeout().toMillis());
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("poolwatch logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(pool)) {
            return iface.cast(pool);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || iface.isInstance(pool);
    }

    @Override
    public String toString() {
        return "poolwatch " + role.tag() + " data source of pool '" + pool.name() + "'";
    }
}
