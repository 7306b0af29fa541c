package dev.poolwatch.pool;

import java.sql.SQLException;
import java.sql.Wrapper;

/**
 * The part every JDBC wrapper of a borrow shares: the owner it reports to, the driver object it forwards to, and
 * {@code unwrap} by the JDBC rules. The driver's own {@code unwrap} casts blindly and throws ClassCastException, so it
 * is only asked after its {@code isWrapperFor} said yes.
 */
abstract class JdbcWrapper implements Wrapper {

    final JdbcOwner owner;
    /** The driver's object; subclasses cast it to their interface, which the JIT folds into its type check. */
    final Wrapper delegate;
    /**
     * Set by {@code close()} on the borrower's thread. Plain on purpose: the owner closes the driver objects too when
     * the borrow ends, so a thread that reads a stale false still fails, in the driver.
     */
    boolean closed;

    JdbcWrapper(JdbcOwner owner, Wrapper delegate) {
        if (owner == null || delegate == null) {
            throw new IllegalArgumentException("a JDBC wrapper needs an owner and a driver object");
        }
        this.owner = owner;
        this.delegate = delegate;
    }

    /** What this object is called in messages: "statement", "result set". */
    abstract String kind();

    /** The caller now holds the driver's object itself and may use it after closing this wrapper. */
    void exposed() {
    }

    /** Refuses use after close; every delegated call starts here. */
    void checkOpen() throws SQLException {
        if (closed) {
            throw closedError();
        }
    }

    private SQLException closedError() {
        return new SQLException(kind() + " is closed", "08003");
    }

    @Override
    public final <T> T unwrap(Class<T> iface) throws SQLException {
        checkOpen();
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        try {
            if (delegate.isWrapperFor(iface)) {
                exposed();
                return delegate.unwrap(iface);
            }
        } catch (SQLException e) {
            throw owner.failed(e);
        }
        throw new SQLException("this " + kind() + " is not a wrapper for " + iface.getName(), "0A000");
    }

    @Override
    public final boolean isWrapperFor(Class<?> iface) throws SQLException {
        checkOpen();
        try {
            return iface.isInstance(this) || delegate.isWrapperFor(iface);
        } catch (SQLException e) {
            throw owner.failed(e);
        }
    }

    @Override
    public String toString() {
        return "poolwatch " + kind() + (closed ? " (closed)" : "") + " over " + delegate;
    }
}
