package dev.poolwatch.pool;

import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** Counts SQLite errors by kind, marks connections that must not be reused, and tells the listener. */
final class ErrorRecorder {
    private final Map<ErrorKind, LongAdder> counts = new EnumMap<>(ErrorKind.class);
    private final Supplier<PoolListener> listener;

    ErrorRecorder(Supplier<PoolListener> listener) {
        this.listener = listener;
        for (ErrorKind kind : ErrorKind.values()) {
            counts.put(kind, new LongAdder());
        }
    }

    /** An error on a connection of the pool. */
    void onError(PoolEntry entry, SQLException e) {
        ErrorKind kind = ErrorKind.classify(e);
        counts.get(kind).increment();
        if (kind.breaksConnection()) {
            entry.broken = true;
        }
        listener.get().error(entry.role, kind, e);
    }

    /** An error that belongs to no connection (opening one, checking the file). */
    void record(Role role, SQLException e) {
        ErrorKind kind = ErrorKind.classify(e);
        counts.get(kind).increment();
        listener.get().error(role, kind, e);
    }

    Map<ErrorKind, Long> snapshot() {
        Map<ErrorKind, Long> out = new EnumMap<>(ErrorKind.class);
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
