package dev.poolwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter's own SQLite file of pool events and persisted live settings, opened through a poolwatch pool.
 * {@link #record(Event)} never blocks: events go through a bounded queue to one writer thread that inserts them in
 * batches, and a full queue drops the event and counts the drop. Events older than the retention are deleted when
 * the store opens and every hour.
 */
public final class EventStore implements AutoCloseable {

    /** The store's file name, by default beside the first monitored database. */
    public static final String DEFAULT_FILE_NAME = "poolwatch-monitor.db";

    private static final Logger log = LoggerFactory.getLogger(EventStore.class);
    private static final int BATCH = 500;
    private static final int EXPORT_PAGE = 500;
    private static final TypeReference<Map<String, Object>> DETAILS = new TypeReference<>() {};

    /** Settings of the store. */
    public record Settings(int queueCapacity, Duration retention) {
        public static final Settings DEFAULT = new Settings(10_000, Duration.ofHours(24));

        public Settings {
            if (queueCapacity < 1 || queueCapacity > 1_000_000) {
                throw new IllegalArgumentException("queueCapacity must be between 1 and 1000000, was " + queueCapacity);
            }
            if (retention == null || retention.compareTo(Duration.ofMinutes(1)) < 0
                    || retention.compareTo(Duration.ofDays(3650)) > 0) {
                throw new IllegalArgumentException("retention must be between 1 min and 3650 d, was " + retention);
            }
        }
    }

    /** Receives exported events one by one. */
    @FunctionalInterface
    public interface EventSink {
        void accept(Event event) throws IOException;
    }

    private final SqlitePool pool;
    private final Settings settings;
    private final BlockingQueue<Event> queue;
    private final Thread writer;
    private final ScheduledExecutorService retention;
    private final ObjectMapper json = new ObjectMapper();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    private EventStore(SqlitePool pool, Settings settings) {
        this.pool = pool;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.writer = new Thread(this::writeLoop, "poolwatch-events-writer");
        this.writer.setDaemon(true);
        this.retention = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-events-retention");
            t.setDaemon(true);
            return t;
        });
    }

    public static EventStore open(Path file) throws SQLException {
        return open(file, Settings.DEFAULT);
    }

    /** Opens (creating if needed) the store, migrates its schema and deletes events past the retention. */
    public static EventStore open(Path file, Settings settings) throws SQLException {
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(file).name("poolwatch-monitor")
                .maxReaders(4).minReaders(1).acquireTimeout(Duration.ofSeconds(10))
                .leakDetectionThreshold(Duration.ZERO).build());
        try {
            Migrations.apply(pool);
            EventStore store = new EventStore(pool, settings);
            store.deleteOlderThan(Instant.now().minus(settings.retention()));
            store.writer.start();
            store.retention.scheduleWithFixedDelay(store::applyRetention, 1, 1, TimeUnit.HOURS);
            return store;
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** The store's own database, for the other store classes ({@link ConfigVersions}). */
    SqlitePool database() {
        return pool;
    }

    public Path file() {
        return pool.config().path();
    }

    public Settings settings() {
        return settings;
    }

    /** Queues an event for writing; false (and one more drop counted) when the queue is full or the store closed. */
    public boolean record(Event event) {
        if (!closed && queue.offer(event)) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /** Events dropped because the queue was full, the store closed or a batch could not be written. */
    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    /** Waits until every event queued so far is written, up to {@code timeout}; true if it got there. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() || inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void writeLoop() {
        List<Event> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Event first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                inFlight.incrementAndGet();
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                insert(batch);
                written.add(batch.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                dropped.add(batch.size());
                log.warn("event store could not write {} events: {}", batch.size(), e.getMessage());
            } finally {
                if (!batch.isEmpty()) {
                    batch.clear();
                    inFlight.decrementAndGet();
                }
            }
        }
    }

    private void insert(List<Event> batch) throws SQLException {
        pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pool_events (time_ms, pool, kind, severity,"
                    + " message, details) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (Event e : batch) {
                    ps.setLong(1, e.time().toEpochMilli());
                    ps.setString(2, e.pool());
                    ps.setString(3, e.kind());
                    ps.setString(4, e.severity().tag());
                    ps.setString(5, e.message());
                    ps.setString(6, toJson(e.details()));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** A page of events, newest first. */
    public List<Event> events(EventQuery q) throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT id, time_ms, pool, kind, severity, message, details"
                + " FROM pool_events WHERE 1 = 1");
        List<Object> params = new ArrayList<>();
        if (q.since() != null) {
            sql.append(" AND time_ms >= ?");
            params.add(q.since().toEpochMilli());
        }
        if (q.pool() != null) {
            sql.append(" AND pool = ?");
            params.add(q.pool());
        }
        if (q.kind() != null) {
            sql.append(" AND kind = ?");
            params.add(q.kind());
        }
        if (q.beforeId() != null) {
            sql.append(" AND id < ?");
            params.add(q.beforeId());
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        params.add(q.limit());
        return pool.read(c -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql.toString(), params); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
            return out;
        });
    }

    /**
     * Hands every event since {@code since} (all if null), oldest first, to {@code sink}. Events are read a page at a
     * time in short read transactions and handed over between them, so a slow sink (a client reading an export
     * slowly) never holds a database connection. Events written during the export may be included; none is repeated.
     */
    public void exportEvents(Instant since, EventSink sink) throws SQLException, IOException {
        long after = Long.MIN_VALUE;
        List<Event> page;
        do {
            page = exportPage(since == null ? Long.MIN_VALUE : since.toEpochMilli(), after);
            for (Event e : page) {
                sink.accept(e);
            }
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).id();
            }
        } while (page.size() == EXPORT_PAGE);
    }

    private List<Event> exportPage(long sinceMs, long afterId) throws SQLException {
        return pool.read(c -> {
            List<Event> out = new ArrayList<>(EXPORT_PAGE);
            try (PreparedStatement ps = prepare(c, "SELECT id, time_ms, pool, kind, severity, message, details"
                    + " FROM pool_events WHERE time_ms >= ? AND id > ? ORDER BY id LIMIT ?",
                    List.of(sinceMs, afterId, EXPORT_PAGE)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(event(rs));
                }
            }
            return out;
        });
    }

    /** Deletes events older than {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) throws SQLException {
        int deleted = pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM pool_events WHERE time_ms < ?")) {
                ps.setLong(1, cutoff.toEpochMilli());
                return ps.executeUpdate();
            }
        });
        if (deleted > 0) {
            log.info("event store deleted {} events older than {}", deleted, cutoff);
        }
        return deleted;
    }

    private void applyRetention() {
        try {
            deleteOlderThan(Instant.now().minus(settings.retention()));
        } catch (SQLException | RuntimeException e) {
            log.warn("event store retention failed: {}", e.getMessage());
        }
    }

    /** Saves a pool's live settings (key to value), replacing the previous value of each key given. */
    public void saveConfig(String poolName, Map<String, String> values) throws SQLException {
        pool.write(c -> {
            upsertConfig(c, poolName, values);
            return null;
        });
    }

    /** The upsert of {@link #saveConfig}, inside the caller's transaction ({@link ConfigVersions} adds a version). */
    static void upsertConfig(Connection c, String poolName, Map<String, String> values) throws SQLException {
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO pool_config (pool, key, value, updated_at_ms)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (pool, key) DO UPDATE SET value = excluded.value,"
                + " updated_at_ms = excluded.updated_at_ms")) {
            for (Map.Entry<String, String> e : values.entrySet()) {
                ps.setString(1, poolName);
                ps.setString(2, e.getKey());
                ps.setString(3, e.getValue());
                ps.setLong(4, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A pool's saved live settings, key to value, in key order. */
    public Map<String, String> loadConfig(String poolName) throws SQLException {
        return pool.read(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = prepare(c, "SELECT key, value FROM pool_config WHERE pool = ? ORDER BY key",
                    List.of(poolName)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /** Saves one value of another capability's durable state (written at once, not queued). */
    public void putState(String scope, String key, String value) throws SQLException {
        pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO poolwatch_state (scope, key, value,"
                    + " updated_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value,"
                    + " updated_at_ms = excluded.updated_at_ms")) {
                ps.setString(1, scope);
                ps.setString(2, key);
                ps.setString(3, value);
                ps.setLong(4, System.currentTimeMillis());
                return ps.executeUpdate();
            }
        });
    }

    /** Every value saved under {@code scope}, key to value. */
    public Map<String, String> state(String scope) throws SQLException {
        return pool.read(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps = prepare(c, "SELECT key, value FROM poolwatch_state WHERE scope = ? ORDER BY key",
                    List.of(scope)); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /** Deletes values of {@code scope} last written before {@code cutoff}; returns how many. */
    public int deleteStateOlderThan(String scope, Instant cutoff) throws SQLException {
        return pool.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM poolwatch_state WHERE scope = ? AND"
                    + " updated_at_ms < ?")) {
                ps.setString(1, scope);
                ps.setLong(2, cutoff.toEpochMilli());
                return ps.executeUpdate();
            }
        });
    }

    private static PreparedStatement prepare(Connection c, String sql, List<Object> params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
        return ps;
    }

    private Event event(ResultSet rs) throws SQLException {
        return new Event(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                Severity.fromTag(rs.getString(5)), rs.getString(6), fromJson(rs.getString(7)));
    }

    private String toJson(Map<String, Object> details) {
        try {
            return json.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            return "{\"unserializable\":" + quote(String.valueOf(details)) + "}";
        }
    }

    private String quote(String s) {
        try {
            return json.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            return "\"\"";
        }
    }

    private Map<String, Object> fromJson(String s) {
        try {
            return json.readValue(s, DETAILS);
        } catch (JsonProcessingException e) {
            return Map.of("raw", s);
        }
    }

    /** Writes what is queued (bounded by a few seconds), then closes the file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        retention.shutdownNow();
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.close();
    }
}
