package dev.poolwatch.pool;

import java.util.Locale;

/** The two kinds of connection a pool hands out; {@link #tag()} is the value of the {@code role} metric tag. */
public enum Role {
    /** The single read-write connection; callers queue for it in FIFO order. */
    WRITER,
    /** Read-only connections that WAL lets run beside the writer. */
    READER;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
