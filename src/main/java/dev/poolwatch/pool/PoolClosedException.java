package dev.poolwatch.pool;

import java.sql.SQLNonTransientConnectionException;

/** The pool was closed before or while the caller waited; no connection will ever be handed out again. */
public final class PoolClosedException extends SQLNonTransientConnectionException {
    private static final long serialVersionUID = 1L;

    PoolClosedException(String poolName) {
        super("pool '" + poolName + "' is closed", "08003");
    }
}
