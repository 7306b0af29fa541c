package dev.poolwatch.pool;

import java.sql.Connection;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens physical connections with every setting as a driver property: sqlite-jdbc applies those on each connection
 * it opens, whereas a multi-statement init SQL would run only its first statement.
 */
final class ConnectionFactory {

    /** After a checkpoint resets the WAL, SQLite truncates the file to this size instead of keeping its peak size. */
    static final int JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

    private final String url;
    private final SQLiteConfig writer;
    private final SQLiteConfig reader;
    private final SQLiteConfig checkpointer;

    ConnectionFactory(SqlitePoolConfig config) {
        this.url = "jdbc:sqlite:" + config.path();
        this.writer = common(config);
        writer.setJournalMode(SQLiteConfig.JournalMode.valueOf(config.journalMode().name()));
        writer.setJournalSizeLimit(JOURNAL_SIZE_LIMIT_BYTES);
        // The driver's own BEGIN (setAutoCommit(false) on pool.writer()) must take the write lock at once: a DEFERRED
        // transaction that reads and then writes fails with SQLITE_BUSY without calling the busy handler.
        writer.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        this.reader = common(config);
        reader.setReadOnly(true);
        // Never creates the file: a checkpointer that reopens after the database vanished must not leave an empty
        // database where the pool's health checks look for the missing one.
        this.checkpointer = common(config);
        checkpointer.resetOpenMode(SQLiteOpenMode.CREATE);
    }

    private static SQLiteConfig common(SqlitePoolConfig config) {
        SQLiteConfig c = new SQLiteConfig();
        c.setBusyTimeout((int) config.busyTimeout().toMillis());
        c.setPragma(SQLiteConfig.Pragma.SYNCHRONOUS, config.synchronous().name());
        c.enforceForeignKeys(config.foreignKeys());
        return c;
    }

    Connection open(Role role) throws SQLException {
        return (role == Role.WRITER ? writer : reader).createConnection(url);
    }

    /** A read-write connection for the background checkpointer, outside the writer gate; fails if the file is gone. */
    Connection openCheckpointer() throws SQLException {
        return checkpointer.createConnection(url);
    }
}
