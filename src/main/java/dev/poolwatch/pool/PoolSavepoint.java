package dev.poolwatch.pool;

import java.sql.SQLException;
import java.sql.Savepoint;

/** A savepoint the pool's connection wrapper issued itself, so that it knows about every one. */
final class PoolSavepoint implements Savepoint {
    private final int id;
    private final String name;

    PoolSavepoint(int id, String name) {
        this.id = id;
        this.name = name;
    }

    static PoolSavepoint of(Savepoint sp) throws SQLException {
        if (sp instanceof PoolSavepoint) {
            return (PoolSavepoint) sp;
        }
        throw new SQLException("not a savepoint of this connection: " + sp);
    }

    String quoted() {
        String n = name != null ? name : "poolwatch_sp_" + id;
        return '"' + n.replace("\"", "\"\"") + '"';
    }

    @Override
    public int getSavepointId() throws SQLException {
        if (name != null) {
            throw new SQLException("a named savepoint has no id");
        }
        return id;
    }

    @Override
    public String getSavepointName() throws SQLException {
        if (name == null) {
            throw new SQLException("an unnamed savepoint has no name");
        }
        return name;
    }

    @Override
    public String toString() {
        return quoted();
    }
}
