package dev.poolwatch.pool;

import java.sql.SQLException;

/**
 * One {@code SqlitePool.write()}: {@code BEGIN IMMEDIATE} on the borrowed writer, the caller's work, then
 * {@code COMMIT}, or {@code ROLLBACK} when the work or the COMMIT fails, and the writer given back whatever happens.
 * A ROLLBACK that fails too marks the connection broken, so it is closed rather than lent with a transaction open.
 */
final class WriteTransaction {

    private WriteTransaction() {
    }

    static <T> T run(ProxyConnection p, SqlFunction<T> work, ErrorRecorder errors, PoolListener l)
            throws SQLException {
        try {
            long begin = System.nanoTime();
            try {
                p.beginManaged();
            } catch (SQLException e) {
                errors.onError(p.entry, e);
                throw e;
            }
            long began = System.nanoTime();
            l.writeLockWaited(began - begin);
            T result;
            try {
                result = work.apply(p);
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(p, e);
                l.transactionEnded(false, System.nanoTime() - began);
                throw e;
            }
            try {
                p.commitManaged();
            } catch (SQLException e) {
                errors.onError(p.entry, e);
                rollbackQuietly(p, e);
                l.transactionEnded(false, System.nanoTime() - began);
                throw e;
            }
            l.transactionEnded(true, System.nanoTime() - began);
            return result;
        } finally {
            p.release();
        }
    }

    private static void rollbackQuietly(ProxyConnection p, Throwable cause) {
        try {
            p.rollbackManaged();
        } catch (SQLException e) {
            p.entry.broken = true;
            cause.addSuppressed(e);
        }
    }
}
