package dev.poolwatch.pool;

import java.sql.Statement;

/** The caller's {@link Statement}: plain delegation (generated) plus the rules of {@link StatementWrapper}. */
final class ProxyStatement extends StatementDelegate {

    ProxyStatement(JdbcOwner owner, Statement delegate) {
        super(owner, delegate);
    }
}
