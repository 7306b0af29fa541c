package dev.poolwatch.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.PoolStats;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.javalin.http.Context;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /health/ready}: 200 when every pool can serve, else 503 with the reasons as a problem document. A pool
 * can serve when it is open, its writer can be borrowed within the probe timeout, its file is writable, and its
 * database is usable: no error saying the file is damaged, read-only or full has been counted since the previous
 * probe or within the last 30 s ({@link UnusableErrors}). A connection can still be borrowed from a pool whose every write fails, so the
 * errors are what tells.
 */
final class Readiness {

    private final Map<String, PoolWatch.Monitored> pools;
    private final EventStore store;
    private final ObjectMapper json;
    private final Duration timeout;
    private final Map<String, UnusableErrors> watches = new ConcurrentHashMap<>();
    private final Map<String, Boolean> lastReady = new ConcurrentHashMap<>();

    Readiness(Map<String, PoolWatch.Monitored> pools, EventStore store, ObjectMapper json, Duration timeout) {
        this.pools = pools;
        this.store = store;
        this.json = json;
        this.timeout = timeout;
        // Errors from before the exporter started are history, not the state of the database now.
        for (PoolWatch.Monitored m : pools.values()) {
            watch(m.pool());
        }
    }

    void respond(Context ctx) {
        Map<String, Object> byPool = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (PoolWatch.Monitored m : pools.values()) {
            SqlitePool pool = m.pool();
            PoolState state = pool.state();
            boolean writer = state == PoolState.OPEN && pool.ping(timeout);
            // A connection can still answer while its file was deleted or its file system remounted read-only.
            boolean writable = Files.isWritable(pool.config().path());
            List<String> reasons = new ArrayList<>();
            if (state != PoolState.OPEN) {
                reasons.add("the pool is " + state.tag());
            } else if (!writer) {
                reasons.add("the writer could not be borrowed within " + timeout.toMillis() + " ms");
            }
            if (!writable) {
                reasons.add("the database file is missing or not writable");
            }
            Map<ErrorKind, Long> unusable = watch(pool);
            unusable.forEach((kind, n) -> reasons.add(describe(kind, n)));
            boolean up = reasons.isEmpty();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("status", up ? "UP" : "DOWN");
            p.put("state", state.tag());
            p.put("writerAcquirable", writer);
            p.put("databaseWritable", writable);
            p.put("databaseUsable", unusable.isEmpty());
            p.put("reasons", reasons);
            byPool.put(pool.name(), p);
            if (!up) {
                problems.add("pool '" + pool.name() + "': " + String.join("; ", reasons));
            }
            Boolean before = lastReady.put(pool.name(), up);
            if (before != null && before != up) {
                store.record(Event.of(pool.name(), "health", up ? Severity.INFO : Severity.WARNING,
                        "readiness changed to " + (up ? "UP" : "DOWN") + (up ? "" : ": " + String.join("; ", reasons)),
                        Map.of("ready", up, "state", state.tag(), "databaseWritable", writable, "reasons", reasons)));
            }
        }
        if (problems.isEmpty()) {
            ctx.status(200).json(Map.of("status", "UP", "pools", byPool));
            return;
        }
        Problems.write(ctx, json, new ProblemException(503, "not-ready", "Not ready", String.join(". ", problems),
                Map.of("pools", byPool)));
    }

    private static String describe(ErrorKind kind, long n) {
        String what = switch (kind) {
            case CORRUPT -> "the database file is damaged";
            case READONLY -> "the database cannot be written";
            default -> "the disk or the database's page limit is full";
        };
        return n + " " + kind.tag() + " error" + (n == 1 ? "" : "s") + " since the previous probe or within the last "
                + UnusableErrors.MEMORY.toSeconds() + " s: " + what;
    }

    private Map<ErrorKind, Long> watch(SqlitePool pool) {
        PoolStats stats = pool.stats();
        return watches.computeIfAbsent(pool.name(), k -> new UnusableErrors())
                .observe(stats.errors(), stats.restarts(), System.nanoTime());
    }
}
