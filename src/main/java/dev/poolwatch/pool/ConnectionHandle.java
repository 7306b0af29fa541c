package dev.poolwatch.pool;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a caller holds while it borrows a connection: a {@link Connection} proxy that forwards to the physical
 * connection until {@code close()} gives it back, and fails every call after that. It remembers what the caller
 * changed so that the pool can reset only that, and reports SQLite errors to the pool for classification.
 */
final class ConnectionHandle implements InvocationHandler {

    private static final Constructor<?> PROXY;

    static {
        try {
            PROXY = Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                    (p, m, a) -> null).getClass().getConstructor(InvocationHandler.class);
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int PRUNE_AT = 64;

    private final SqlitePool pool;
    final PooledConnection pc;
    /** Lent to a callback of {@link SqlitePool#read} or {@link SqlitePool#write}: the pool gives it back. */
    private final boolean scoped;
    /** Inside {@link SqlitePool#write}: the pool owns the transaction, so the caller may not end it. */
    private final boolean managedTransaction;
    final Connection proxy;
    /** Counted in the pool's metrics; false for readiness probes. */
    final boolean observed;

    /** The proxy refuses further use. */
    private volatile boolean closed;
    /** The physical connection went back to the pool, or the pool took it. */
    private boolean returned;
    /** Created on the first statement: most borrows in a pool's hot path never need it. */
    private List<Statement> statements;
    boolean autoCommitChanged;
    boolean isolationChanged;
    /** The caller ran a raw BEGIN or SAVEPOINT, which the driver's auto-commit state does not see. */
    volatile boolean rawTransaction;

    ConnectionHandle(SqlitePool pool, PooledConnection pc, boolean scoped, boolean managedTransaction,
                     boolean observed) {
        this.observed = observed;
        this.pool = pool;
        this.pc = pc;
        this.scoped = scoped;
        this.managedTransaction = managedTransaction;
        try {
            this.proxy = (Connection) PROXY.newInstance(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create a connection proxy", e);
        }
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Ends the borrow for good: the proxy refuses further use. Returns true for the one caller that must now hand the
     * physical connection back (or, for the pool, take it), false if that already happened.
     */
    synchronized boolean invalidate() {
        closed = true;
        if (returned) {
            return false;
        }
        returned = true;
        return true;
    }

    /** The statements the caller opened and did not close; cleared. */
    synchronized List<Statement> takeStatements() {
        if (statements == null) {
            return List.of();
        }
        List<Statement> open = statements;
        statements = null;
        return open;
    }

    /** Gives the connection back to the pool, once. */
    void release() {
        if (invalidate()) {
            pool.giveBack(this);
        }
    }

    /** The caller's {@code close()}: a scoped handle only stops working, its callback's end gives it back. */
    private void closeByCaller() {
        if (scoped) {
            closed = true;
        } else {
            release();
        }
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "close":
                closeByCaller();
                return null;
            case "isClosed":
                return closed;
            case "toString":
                return "poolwatch " + pc.role.tag() + " connection of pool '" + pool.name() + "'"
                        + (closed ? " (returned)" : "");
            case "hashCode":
                return System.identityHashCode(self);
            case "equals":
                return self == args[0];
            case "isWrapperFor":
                return ((Class<?>) args[0]).isInstance(self) || pc.raw.isWrapperFor((Class<?>) args[0]);
            case "unwrap":
                if (((Class<?>) args[0]).isInstance(self)) {
                    return self;
                }
                break;
            case "isValid":
                if (closed) {
                    return false;
                }
                break;
            case "abort":
                closeByCaller();
                return null;
            default:
                break;
        }
        if (closed) {
            throw new SQLException("connection was returned to pool '" + pool.name() + "' and can no longer be used",
                    "08003");
        }
        switch (name) {
            case "setAutoCommit":
            case "commit":
            case "rollback":
                if (managedTransaction && (args == null || args.length == 0 || !"rollback".equals(name))) {
                    throw new SQLException(name + "() is not allowed inside pool.write(): the pool commits when the "
                            + "callback returns and rolls back when it throws", "25000");
                }
                if ("setAutoCommit".equals(name)) {
                    autoCommitChanged = true;
                }
                break;
            case "setReadOnly":
                boolean wanted = (Boolean) args[0];
                if (wanted != (pc.role == Role.READER)) {
                    throw new SQLFeatureNotSupportedException("pool '" + pool.name() + "': " + pc.role.tag()
                            + " connections are " + (pc.role == Role.READER ? "read-only" : "read-write")
                            + "; borrow from pool." + (wanted ? "reader()" : "writer()") + " instead", "0A000");
                }
                return null;
            case "setTransactionIsolation":
                isolationChanged = true;
                break;
            case "prepareStatement":
            case "prepareCall":
                noteSql(args[0]);
                break;
            default:
                break;
        }
        Object result;
        try {
            result = method.invoke(pc.raw, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException) {
                pool.onError(pc, (SQLException) cause);
            }
            throw cause;
        }
        if (result instanceof Statement) {
            return track((Statement) result, method.getReturnType());
        }
        return result;
    }

    private Object track(Statement raw, Class<?> declared) {
        synchronized (this) {
            if (statements == null) {
                statements = new ArrayList<>();
            } else if (statements.size() >= PRUNE_AT) {
                statements.removeIf(ConnectionHandle::isClosedQuietly);
            }
            statements.add(raw);
        }
        Class<?> type = CallableStatement.class.isAssignableFrom(declared) ? CallableStatement.class
                : PreparedStatement.class.isAssignableFrom(declared) ? PreparedStatement.class : Statement.class;
        return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type},
                new StatementHandle(raw, this));
    }

    private static boolean isClosedQuietly(Statement s) {
        try {
            return s.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    void noteSql(Object sql) {
        if (sql instanceof String && opensTransaction((String) sql)) {
            rawTransaction = true;
        }
    }

    static boolean opensTransaction(String sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        return sql.regionMatches(true, i, "BEGIN", 0, 5) || sql.regionMatches(true, i, "SAVEPOINT", 0, 9);
    }

    void reportError(SQLException e) {
        pool.onError(pc, e);
    }

    /** Forwards a statement's calls and gives the caller's connection proxy, not the physical one, back. */
    private static final class StatementHandle implements InvocationHandler {
        private final Statement raw;
        private final ConnectionHandle owner;

        StatementHandle(Statement raw, ConnectionHandle owner) {
            this.raw = raw;
            this.owner = owner;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "getConnection":
                    return owner.proxy;
                case "toString":
                    return "poolwatch statement of " + owner.proxy;
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                case "unwrap":
                    if (((Class<?>) args[0]).isInstance(self)) {
                        return self;
                    }
                    break;
                default:
                    break;
            }
            if (owner.closed && !"close".equals(method.getName()) && !"isClosed".equals(method.getName())) {
                throw new SQLException("statement belongs to a connection returned to the pool", "08003");
            }
            String m = method.getName();
            if (args != null && args.length > 0 && (m.startsWith("execute") || "addBatch".equals(m))) {
                owner.noteSql(args[0]);
            }
            try {
                return method.invoke(raw, args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof SQLException) {
                    owner.reportError((SQLException) cause);
                }
                throw cause;
            }
        }
    }
}
