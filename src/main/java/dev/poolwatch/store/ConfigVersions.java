package dev.poolwatch.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The numbered history of each pool's live settings, in the event store's file. A new version and the saved values
 * it implies are written in one transaction, so the history and what is re-applied at start-up never disagree.
 */
public final class ConfigVersions {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
    private static final String COLUMNS = "pool, version, time_ms, actor, action, settings, changes, rollback_to,"
            + " trial_until_ms, trial_outcome";

    /**
     * One version of a pool's settings.
     *
     * @param settings    every settable field after the change
     * @param changes     field to {@code {"from": old, "to": new}}, only the fields that changed
     * @param rollbackTo  for a rollback, the version whose settings it restored; else null
     * @param trialUntil  for a trial, when it ends unless rolled back first; else null
     * @param trialOutcome for a trial, {@code kept}, {@code rolled-back} or {@code superseded}; null while it runs
     */
    public record Version(String pool, long version, Instant time, String actor, String action,
                          Map<String, Object> settings, Map<String, Object> changes, Long rollbackTo,
                          Instant trialUntil, String trialOutcome) {
        public Version {
            settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
            changes = Collections.unmodifiableMap(new LinkedHashMap<>(changes));
        }
    }

    /** What a new version says; its number and time are given when it is written. */
    public record Draft(String actor, String action, Map<String, Object> settings, Map<String, Object> changes,
                        Long rollbackTo, Instant trialUntil) {
    }

    private final EventStore store;
    private final ObjectMapper json = new ObjectMapper();

    public ConfigVersions(EventStore store) {
        this.store = store;
    }

    /** Saves {@code persist} as the pool's live settings and appends {@code draft} as its next version, atomically. */
    public Version append(String pool, Map<String, String> persist, Draft draft) throws SQLException {
        long now = System.currentTimeMillis();
        return store.database().write(c -> {
            EventStore.upsertConfig(c, pool, persist);
            long next;
            try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(version), 0) + 1 FROM"
                    + " pool_config_versions WHERE pool = ?")) {
                ps.setString(1, pool);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    next = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO pool_config_versions (" + COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)")) {
                ps.setString(1, pool);
                ps.setLong(2, next);
                ps.setLong(3, now);
                ps.setString(4, draft.actor());
                ps.setString(5, draft.action());
                ps.setString(6, toJson(draft.settings()));
                ps.setString(7, toJson(draft.changes()));
                setNullable(ps, 8, draft.rollbackTo());
                setNullable(ps, 9, draft.trialUntil() == null ? null : draft.trialUntil().toEpochMilli());
                ps.executeUpdate();
            }
            return new Version(pool, next, Instant.ofEpochMilli(now), draft.actor(), draft.action(), draft.settings(),
                    draft.changes(), draft.rollbackTo(), draft.trialUntil(), null);
        });
    }

    /** Records how a trial ended; false if that version is no running trial. */
    public boolean endTrial(String pool, long version, String outcome) throws SQLException {
        return store.database().write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE pool_config_versions SET trial_outcome = ?"
                    + " WHERE pool = ? AND version = ? AND trial_until_ms IS NOT NULL AND trial_outcome IS NULL")) {
                ps.setString(1, outcome);
                ps.setString(2, pool);
                ps.setLong(3, version);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Up to {@code limit} versions of the pool older than {@code before} (all if null), newest first. */
    public List<Version> page(String pool, Long before, int limit) throws SQLException {
        return store.database().read(c -> query(c, "SELECT " + COLUMNS + " FROM pool_config_versions WHERE pool = ?"
                + " AND version < ? ORDER BY version DESC LIMIT ?", pool, before == null ? Long.MAX_VALUE : before,
                limit));
    }

    public Optional<Version> get(String pool, long version) throws SQLException {
        return store.database().read(c -> query(c, "SELECT " + COLUMNS + " FROM pool_config_versions WHERE pool = ?"
                + " AND version = ?", pool, version, 1)).stream().findFirst();
    }

    public Optional<Version> latest(String pool) throws SQLException {
        return page(pool, null, 1).stream().findFirst();
    }

    private List<Version> query(Connection c, String sql, String pool, long version, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.endsWith("LIMIT ?") ? sql : sql + " LIMIT ?")) {
            ps.setString(1, pool);
            ps.setLong(2, version);
            ps.setInt(3, limit);
            List<Version> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long rollback = rs.getLong(8);
                    Long rollbackTo = rs.wasNull() ? null : rollback;
                    long until = rs.getLong(9);
                    Instant trialUntil = rs.wasNull() ? null : Instant.ofEpochMilli(until);
                    out.add(new Version(rs.getString(1), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3)),
                            rs.getString(4), rs.getString(5), fromJson(rs.getString(6)), fromJson(rs.getString(7)),
                            rollbackTo, trialUntil, rs.getString(10)));
                }
            }
            return out;
        }
    }

    private static void setNullable(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setLong(index, value);
        }
    }

    private String toJson(Map<String, Object> m) throws SQLException {
        try {
            return json.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new SQLException("config version is not serializable: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> fromJson(String s) throws SQLException {
        try {
            return new LinkedHashMap<>(json.readValue(s, MAP));
        } catch (JsonProcessingException e) {
            throw new SQLException("stored config version is not JSON: " + e.getMessage(), e);
        }
    }
}
