package dev.poolwatch.pool;

import java.sql.SQLTransientConnectionException;

/** No connection of the asked role became free within the acquire timeout. The message carries the pool's state. */
public final class PoolTimeoutException extends SQLTransientConnectionException {
    private static final long serialVersionUID = 1L;

    private final Role role;

    PoolTimeoutException(String message, Role role) {
        super(message, "08001");
        this.role = role;
    }

    public Role role() {
        return role;
    }
}
