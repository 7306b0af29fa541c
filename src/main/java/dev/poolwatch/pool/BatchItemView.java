package dev.poolwatch.pool;

import java.sql.Connection;

/**
 * The connection one caller's batched work sees, for the length of that work only: a view of the batch's writer
 * borrow that refuses what would end the shared transaction (commit, rollback, auto-commit, transaction-control
 * SQL, unwrapping to the driver) and, when the work ends, closes the statements it left open and stops working, so
 * the next caller starts clean. No reflection: it is a {@link ProxyConnection} of its own over the same connection.
 */
final class BatchItemView {
    private final ProxyConnection batch;
    private final ProxyConnection view;

    BatchItemView(Connection batchBorrow, String savepoint) {
        this.batch = (ProxyConnection) batchBorrow;
        this.view = batch.itemView(savepoint);
    }

    Connection connection() {
        return view;
    }

    /** The work returned or threw: its statements are closed and the view refuses any later call. */
    void end() {
        batch.endItem(view);
    }
}
