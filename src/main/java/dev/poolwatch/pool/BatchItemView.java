package dev.poolwatch.pool;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The connection one caller's batched work sees, for the length of that work only. Over the writer's caller view it
 * refuses what would end the shared transaction (commit, rollback, auto-commit, transaction-control SQL, unwrapping
 * to the driver's connection) and closes the statements the work left open, so the next caller starts clean.
 */
final class BatchItemView implements InvocationHandler {

    private final Connection delegate;
    private final String savepoint;
    private final Connection proxy;
    private final List<Statement> statements = new ArrayList<>(4);
    private boolean ended;

    BatchItemView(Connection delegate, String savepoint) {
        this.delegate = delegate;
        this.savepoint = savepoint;
        this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this);
    }

    Connection connection() {
        return proxy;
    }

    /** The work returned or threw: its statements are closed and the view refuses any later call. */
    void end() {
        ended = true;
        for (Statement s : statements) {
            try {
                s.close();
            } catch (SQLException e) {
                // A statement that cannot close is the connection's problem; the batch's next statement will tell.
            }
        }
        statements.clear();
    }

    private void check(Object sql) throws SQLException {
        if (sql instanceof String) {
            String why = TransactionControl.refusal((String) sql, savepoint);
            if (why != null) {
                throw new SQLException(why, "25000");
            }
        }
    }

    private SQLException refused(String method) {
        return new SQLException(method + "() is not allowed in batched work (submit/writeBatched): the batch's"
                + " transaction is shared with other callers and the pool commits it; throw to undo your own work",
                "25000");
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        switch (name) {
            case "toString":
                return "batched work's view of " + delegate;
            case "hashCode":
                return System.identityHashCode(self);
            case "equals":
                return self == args[0];
            case "isClosed":
                return ended || delegate.isClosed();
            case "close":
            case "abort":
                ended = true;
                return null;
            case "isWrapperFor":
                return ((Class<?>) args[0]).isInstance(self);
            case "unwrap":
                if (((Class<?>) args[0]).isInstance(self)) {
                    return self;
                }
                throw new SQLException("unwrap(" + ((Class<?>) args[0]).getSimpleName() + ") is not allowed in batched"
                        + " work: the driver's connection would bypass the guard on the transaction it shares with"
                        + " other callers", "0A000");
            default:
                break;
        }
        if (ended) {
            throw new SQLException("the batched work this connection was lent to has ended; it can no longer be used",
                    "08003");
        }
        switch (name) {
            case "commit":
            case "setAutoCommit":
                throw refused(name);
            case "rollback":
                if (args == null || args.length == 0) {
                    throw refused(name);
                }
                break;
            case "prepareStatement":
            case "prepareCall":
            case "nativeSQL":
                check(args[0]);
                break;
            default:
                break;
        }
        Object result = forward(delegate, method, args);
        if (result instanceof Statement) {
            Statement s = (Statement) result;
            statements.add(s);
            Class<?> type = CallableStatement.class.isAssignableFrom(method.getReturnType()) ? CallableStatement.class
                    : PreparedStatement.class.isAssignableFrom(method.getReturnType()) ? PreparedStatement.class
                    : Statement.class;
            return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type},
                    new StatementView(s));
        }
        return result;
    }

    private static Object forward(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Checks the SQL a statement is given and answers {@code getConnection()} with the view, not the writer. */
    private final class StatementView implements InvocationHandler {
        private final Statement delegate;

        StatementView(Statement delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object invoke(Object self, Method method, Object[] args) throws Throwable {
            String m = method.getName();
            switch (m) {
                case "getConnection":
                    return proxy;
                case "toString":
                    return "batched work's statement of " + delegate;
                case "hashCode":
                    return System.identityHashCode(self);
                case "equals":
                    return self == args[0];
                case "isWrapperFor":
                    return ((Class<?>) args[0]).isInstance(self);
                case "unwrap":
                    if (((Class<?>) args[0]).isInstance(self)) {
                        return self;
                    }
                    throw new SQLException("unwrap(" + ((Class<?>) args[0]).getSimpleName() + ") is not allowed in"
                            + " batched work: the driver's statement leads to the shared writer connection", "0A000");
                default:
                    break;
            }
            if (ended && !"close".equals(m) && !"isClosed".equals(m)) {
                throw new SQLException("statement belongs to batched work that has ended", "08003");
            }
            if (args != null && args.length > 0 && (m.startsWith("execute") || "addBatch".equals(m))) {
                check(args[0]);
            }
            return forward(delegate, method, args);
        }
    }
}
