package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with a borrowed connection by {@link SqlitePool#read} and {@link SqlitePool#write}. */
@FunctionalInterface
public interface SqlFunction<T> {
    T apply(Connection connection) throws SQLException;
}
