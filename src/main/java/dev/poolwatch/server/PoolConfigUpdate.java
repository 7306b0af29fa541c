package dev.poolwatch.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.config.LiveSettings;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.EventStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live settings the config API may change, their JSON names, and how they are checked, persisted and re-applied.
 * A change is validated as a whole before anything is applied, so a rejected request changes nothing.
 */
final class PoolConfigUpdate {

    private static final Logger log = LoggerFactory.getLogger(PoolConfigUpdate.class);

    /** A settable field: its JSON name and how a long value goes into a builder. */
    private record Field(String name, BiFunction<SqlitePoolConfig.Builder, Long, SqlitePoolConfig.Builder> set,
                         java.util.function.ToLongFunction<SqlitePoolConfig> get) {
    }

    static final List<Field> FIELDS = List.of(
            new Field("maxReaders", (b, v) -> b.maxReaders((int) Math.max(Integer.MIN_VALUE,
                    Math.min(Integer.MAX_VALUE, v))), SqlitePoolConfig::maxReaders),
            new Field("acquireTimeoutMs", (b, v) -> b.acquireTimeout(Duration.ofMillis(v)),
                    c -> c.acquireTimeout().toMillis()),
            new Field("leakDetectionThresholdMs", (b, v) -> b.leakDetectionThreshold(Duration.ofMillis(v)),
                    c -> c.leakDetectionThreshold().toMillis()),
            new Field("idleTimeoutMs", (b, v) -> b.idleTimeout(Duration.ofMillis(v)), c -> c.idleTimeout().toMillis()));

    /** The same fields for the config history, which records, restores and rolls back whole sets of them. */
    static final LiveSettings LIVE = new LiveSettings() {
        @Override
        public Map<String, Long> of(SqlitePoolConfig c) {
            Map<String, Long> out = new LinkedHashMap<>();
            FIELDS.forEach(f -> out.put(f.name(), f.get().applyAsLong(c)));
            return out;
        }

        @Override
        public SqlitePoolConfig with(SqlitePoolConfig current, Map<String, Long> values) {
            SqlitePoolConfig.Builder b = current.toBuilder();
            values.forEach((name, value) -> {
                Field f = field(name);
                if (f == null) {
                    throw ProblemException.invalidField(name, "'" + name + "' is no longer a settable field");
                }
                set(b, f, value, current);
            });
            return b.build();
        }
    };

    private PoolConfigUpdate() {
    }

    private static Field field(String name) {
        return FIELDS.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    /** The configuration {@code body} asks for, or a 400 problem naming the first bad field. */
    static SqlitePoolConfig apply(SqlitePoolConfig current, JsonNode body) {
        if (body.isEmpty()) {
            throw ProblemException.badRequest("the body names no setting; settable fields are " + names());
        }
        SqlitePoolConfig.Builder b = current.toBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Field f = field(e.getKey());
            if (f == null) {
                throw ProblemException.invalidField(e.getKey(), "'" + e.getKey() + "' is not a settable field; settable"
                        + " fields are " + names());
            }
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw ProblemException.invalidField(f.name(), f.name() + " must be a whole number, was " + v);
            }
            set(b, f, v.longValue(), current);
        }
        return b.build();
    }

    private static void set(SqlitePoolConfig.Builder b, Field f, long value, SqlitePoolConfig current) {
        f.set().apply(b, value);
        if (f.name().equals("maxReaders") && value >= 1 && value < current.minReaders()) {
            b.minReaders((int) value);
        }
        try {
            b.build();
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalidField(f.name(), f.name() + ": " + e.getMessage());
        }
    }

    /** Re-applies persisted values; a value no longer valid is skipped and reported in {@code skipped}. */
    static SqlitePoolConfig fromPersisted(SqlitePoolConfig current, Map<String, String> saved,
                                          Map<String, String> skipped) {
        SqlitePoolConfig.Builder b = current.toBuilder();
        for (Map.Entry<String, String> e : saved.entrySet()) {
            Field f = field(e.getKey());
            if (f == null) {
                skipped.put(e.getKey(), "unknown setting");
                continue;
            }
            try {
                set(b, f, Long.parseLong(e.getValue()), current);
            } catch (NumberFormatException | ProblemException ex) {
                skipped.put(e.getKey(), ex.getMessage());
                f.set().apply(b, f.get().applyAsLong(current));
                b.minReaders(current.minReaders());
            }
        }
        return b.build();
    }

    /** Applies the settings saved through the API to a freshly opened pool, skipping (and logging) stale ones. */
    static void reapplySaved(SqlitePool pool, EventStore store) throws SQLException {
        Map<String, String> saved = store.loadConfig(pool.name());
        if (saved.isEmpty()) {
            return;
        }
        Map<String, String> skipped = new LinkedHashMap<>();
        pool.reconfigure(fromPersisted(pool.config(), saved, skipped));
        log.info("pool '{}' re-applied saved settings {}", pool.name(), saved);
        skipped.forEach((k, why) -> log.warn("pool '{}' skipped saved setting {}: {}", pool.name(), k, why));
    }

    /** What the API shows of a pool's configuration. */
    static Map<String, Object> view(SqlitePoolConfig c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("pool", c.name());
        v.put("path", c.path().toString());
        for (Field f : FIELDS) {
            v.put(f.name(), f.get().applyAsLong(c));
        }
        v.put("minReaders", c.minReaders());
        v.put("maxLifetimeMs", c.maxLifetime().toMillis());
        v.put("leakReclaimTimeoutMs", c.leakReclaimTimeout().toMillis());
        v.put("busyTimeoutMs", c.busyTimeout().toMillis());
        v.put("journalMode", c.journalMode().name());
        v.put("synchronous", c.synchronous().name());
        v.put("foreignKeys", c.foreignKeys());
        return v;
    }

    private static String names() {
        return FIELDS.stream().map(Field::name).toList().toString();
    }
}
