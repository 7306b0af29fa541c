package dev.poolwatch.pool;

import java.sql.CallableStatement;

/** The caller's {@link CallableStatement}: plain delegation (generated) plus the rules of {@link StatementWrapper}. */
final class ProxyCallableStatement extends CallableStatementDelegate {

    ProxyCallableStatement(JdbcOwner owner, CallableStatement delegate) {
        super(owner, delegate);
    }
}
