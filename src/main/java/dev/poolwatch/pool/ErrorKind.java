package dev.poolwatch.pool;

import java.sql.SQLException;
import java.util.Locale;
import org.sqlite.SQLiteException;

/**
 * The classes of SQLite failure that diagnostics tell apart; {@link #tag()} is the value of the {@code kind} metric tag.
 * Classified from sqlite-jdbc's primary result code, so extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE …)
 * fall into their family.
 */
public enum ErrorKind {
    /** SQLITE_BUSY: another connection, normally another process, holds the lock past busy_timeout. */
    BUSY,
    /** SQLITE_LOCKED: a conflict inside one connection or shared cache. */
    LOCKED,
    /** SQLITE_FULL: the disk or the max page count is exhausted. */
    FULL,
    /** SQLITE_READONLY: the file, its directory or the connection cannot be written. */
    READONLY,
    /** SQLITE_CORRUPT or SQLITE_NOTADB: the file is damaged or is not a database. */
    CORRUPT,
    /** SQLITE_IOERR or SQLITE_CANTOPEN: the operating system refused a read, write or open. */
    IO,
    /** SQLITE_CONSTRAINT: a constraint the caller's statement violated; the connection is fine. */
    CONSTRAINT,
    /**
     * A fault of the caller's SQL, not of the pool or the database: SQLITE_ERROR (syntax, no such table or column),
     * SQLITE_MISMATCH, SQLITE_RANGE, SQLITE_TOOBIG. No pool action can heal these, so alerts that act leave them out.
     */
    APPLICATION,
    /** Anything else, such as misuse, an internal error or a failure that carries no SQLite code. */
    OTHER;

    private static final int SQLITE_ERROR = 1;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_IOERR = 10;
    private static final int SQLITE_CORRUPT = 11;
    private static final int SQLITE_FULL = 13;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_TOOBIG = 18;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_MISMATCH = 20;
    private static final int SQLITE_RANGE = 25;
    private static final int SQLITE_NOTADB = 26;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }

    /** Whether a connection that raised this kind of error should never be handed out again. */
    boolean breaksConnection() {
        return this == IO || this == CORRUPT;
    }

    /** The kind of the first SQLite failure in {@code e}'s chain, or {@link #OTHER}. */
    public static ErrorKind classify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException) {
                return fromResultCode(((SQLiteException) t).getResultCode().code);
            }
            if (t instanceof SQLException && ((SQLException) t).getErrorCode() != 0) {
                return fromResultCode(((SQLException) t).getErrorCode());
            }
        }
        return OTHER;
    }

    /** The kind for a SQLite primary or extended result code. */
    public static ErrorKind fromResultCode(int code) {
        switch (code & 0xff) {
            case SQLITE_BUSY: return BUSY;
            case SQLITE_LOCKED: return LOCKED;
            case SQLITE_FULL: return FULL;
            case SQLITE_READONLY: return READONLY;
            case SQLITE_CORRUPT:
            case SQLITE_NOTADB: return CORRUPT;
            case SQLITE_IOERR:
            case SQLITE_CANTOPEN: return IO;
            case SQLITE_CONSTRAINT: return CONSTRAINT;
            case SQLITE_ERROR:
            case SQLITE_TOOBIG:
            case SQLITE_MISMATCH:
            case SQLITE_RANGE: return APPLICATION;
            default: return OTHER;
        }
    }
}
