package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The caller's {@link DatabaseMetaData}. It has no close of its own, so it lives exactly as long as the caller's
 * connection: once that is closed every call fails instead of reading a physical connection that another borrower
 * may hold by then.
 */
final class ProxyDatabaseMetaData extends DatabaseMetaDataDelegate {

    ProxyDatabaseMetaData(JdbcOwner owner, DatabaseMetaData delegate) {
        super(owner, delegate);
    }

    @Override
    String kind() {
        return "database metadata";
    }

    @Override
    void checkOpen() throws SQLException {
        if (owner.connection().isClosed()) {
            throw new SQLException("database metadata of a closed connection", "08003");
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        checkOpen();
        return owner.connection();
    }

    @Override
    ProxyResultSet wrap(ResultSet raw) {
        return ProxyResultSet.tracked(owner, raw);
    }
}
