package dev.poolwatch.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.server.ProblemException;
import dev.poolwatch.store.ConfigVersions.Version;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/pools/{name}/config/history} (newest first, paged with {@code limit} and {@code before}) and
 * {@code POST /api/pools/{name}/config/rollback} with {@code {"version": N}} (token required).
 */
public final class ConfigHistoryRoutes {

    static final int MAX_LIMIT = 100;

    private final ConfigHistory history;
    private final PoolWatch.Context context;

    public ConfigHistoryRoutes(ConfigHistory history, PoolWatch.Context context) {
        this.history = history;
        this.context = context;
    }

    public void addTo(JavalinConfig config) {
        config.routes.get("/api/pools/{name}/config/history", this::list);
        config.routes.post("/api/pools/{name}/config/rollback", this::rollback);
    }

    private void list(Context ctx) throws SQLException {
        SqlitePool pool = context.pool(ctx.pathParam("name"));
        Set<String> allowed = Set.of("limit", "before");
        ctx.queryParamMap().keySet().stream().filter(k -> !allowed.contains(k)).sorted().findFirst().ifPresent(k -> {
            throw ProblemException.invalidField(k, "unknown query parameter '" + k + "'; this endpoint takes"
                    + " [before, limit]");
        });
        int limit = (int) number("limit", ctx.queryParam("limit"), 20, 1, MAX_LIMIT);
        String beforeParam = ctx.queryParam("before");
        Long before = beforeParam == null ? null : number("before", beforeParam, 0, 1, Long.MAX_VALUE);
        List<Version> page = history.history(pool, before, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pool", pool.name());
        body.put("versions", page.stream().map(ConfigHistoryRoutes::view).toList());
        body.put("next", page.size() == limit && page.get(page.size() - 1).version() > 1
                ? "/api/pools/" + pool.name() + "/config/history?limit=" + limit + "&before="
                + page.get(page.size() - 1).version() : null);
        ctx.json(body);
    }

    private void rollback(Context ctx) throws SQLException {
        context.requireToken(ctx);
        SqlitePool pool = context.pool(ctx.pathParam("name"));
        JsonNode body = context.jsonBody(ctx);
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("version")) {
                throw ProblemException.invalidField(f, "'" + f + "' is not a rollback field; the body is"
                        + " {\"version\": N}");
            }
        });
        JsonNode v = body.get("version");
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 1) {
            throw ProblemException.invalidField("version", "version must be a whole number of 1 or more (a version"
                    + " from GET /api/pools/" + pool.name() + "/config/history), was " + (v == null ? "missing" : v));
        }
        long target = v.longValue();
        Version before = history.history(pool, null, 1).stream().findFirst().orElse(null);
        Version after = history.rollback(pool, target, "token");
        boolean changed = before == null || after.version() != before.version();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("rollbackTo", target);
        details.put("version", after.version());
        details.put("changes", after.changes());
        details.put("actor", "token");
        context.events().record(Event.of(pool.name(), "config", Severity.INFO, changed
                ? "configuration rolled back to version " + target + " through the API (now version "
                + after.version() + "): " + after.changes().keySet()
                : "rollback to version " + target + " through the API changed nothing: the live settings already"
                + " match it", details));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("changed", changed);
        answer.put("rolledBackTo", target);
        answer.put("current", view(after));
        ctx.json(answer);
    }

    private static long number(String name, String value, long absent, long min, long max) {
        if (value == null) {
            return absent;
        }
        try {
            long n = Long.parseLong(value.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the problem below says what is accepted
        }
        throw ProblemException.invalidField(name, name + " must be a whole number between " + min + " and " + max
                + ", was '" + value + "'");
    }

    /** What the API shows of one version. */
    public static Map<String, Object> view(Version v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("time", v.time().toString());
        m.put("actor", v.actor());
        m.put("action", v.action());
        m.put("changes", v.changes());
        m.put("settings", v.settings());
        if (v.rollbackTo() != null) {
            m.put("rollbackTo", v.rollbackTo());
        }
        if (v.trialUntil() != null) {
            Map<String, Object> trial = new LinkedHashMap<>();
            trial.put("until", v.trialUntil().toString());
            trial.put("outcome", v.trialOutcome() == null ? "running" : v.trialOutcome());
            m.put("trial", trial);
        }
        return m;
    }
}
