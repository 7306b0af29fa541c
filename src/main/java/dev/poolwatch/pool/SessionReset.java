package dev.poolwatch.pool;

import java.sql.Connection;
import java.util.ArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a returned connection look as it did when it was lent, or says it must be closed. Statements and
 * metadata result sets the caller left open are closed (an open result set pins a read snapshot); a transaction is
 * rolled back, where the writer always asks SQLite whether one is open, so a BEGIN or SAVEPOINT the pool never saw
 * (the driver's own savepoint handling, SQL in a string) cannot survive. What cannot be undone cheaply and surely
 * (pragma assignments, ATTACH, temp objects, anything done through unwrap) closes the connection instead.
 */
final class SessionReset {
    private static final Logger log = LoggerFactory.getLogger(SessionReset.class);

    private SessionReset() {
    }

    /** True when the connection may be lent again. Never throws: any failure means "close it". */
    static boolean reset(ProxyConnection p) {
        PoolEntry e = p.entry;
        boolean reusable = true;
        ArrayList<AutoCloseable> open = p.takeOpen();
        if (open != null) {
            for (int i = open.size() - 1; i >= 0; i--) {
                try {
                    open.get(i).close();
                } catch (Exception | Error ex) {
                    reusable = false;
                    log.debug("pool '{}' could not close a statement left open on a {} connection", p.pool.name(),
                            e.role.tag(), ex);
                }
            }
        }
        if (e.broken || (p.session & ProxyConnection.TAINTED) != 0 || (p.session & SqlSniffer.SESSION) != 0) {
            return false;
        }
        try {
            if (p.txOpen) {
                p.txOpen = false;
                e.tx.rollback();
                p.rolledBack();
            }
            if (e.role == Role.WRITER || (p.session & SqlSniffer.OPENS) != 0) {
                if (e.tx.inTransaction()) {
                    e.tx.rollback();
                }
            }
            if (p.isolationChanged) {
                e.raw.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            }
            return reusable && !e.broken;
        } catch (Exception | Error ex) {
            log.debug("pool '{}' closes a {} connection that could not be reset", p.pool.name(), e.role.tag(), ex);
            return false;
        }
    }
}
