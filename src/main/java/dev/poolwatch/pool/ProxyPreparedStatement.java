package dev.poolwatch.pool;

import java.sql.PreparedStatement;

/** The caller's {@link PreparedStatement}: plain delegation (generated) plus the rules of {@link StatementWrapper}. */
final class ProxyPreparedStatement extends PreparedStatementDelegate {

    ProxyPreparedStatement(JdbcOwner owner, PreparedStatement delegate) {
        super(owner, delegate);
    }
}
