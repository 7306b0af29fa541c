package dev.poolwatch.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The exporter's HTTP endpoints. Every error is an RFC 9457 problem document. */
final class ExporterRoutes {

    private static final Logger log = LoggerFactory.getLogger(ExporterRoutes.class);
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final Map<String, PoolWatch.Monitored> pools;
    private final PrometheusMeterRegistry registry;
    private final EventStore store;
    private final BearerAuth auth;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final Readiness readiness;

    ExporterRoutes(Map<String, PoolWatch.Monitored> pools, PrometheusMeterRegistry registry, EventStore store,
                   BearerAuth auth, ObjectMapper json, long maxBodyBytes, Duration readinessTimeout) {
        this.pools = pools;
        this.registry = registry;
        this.store = store;
        this.auth = auth;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.readiness = new Readiness(pools, store, json, readinessTimeout);
    }

    PoolWatch.Context context() {
        return new PoolWatch.Context() {
            @Override
            public ObjectMapper json() {
                return json;
            }

            @Override
            public EventStore events() {
                return store;
            }

            @Override
            public MeterRegistry registry() {
                return registry;
            }

            @Override
            public SqlitePool pool(String name) {
                return ExporterRoutes.this.pool(name);
            }

            @Override
            public Collection<SqlitePool> pools() {
                return pools.values().stream().map(PoolWatch.Monitored::pool).toList();
            }

            @Override
            public void requireToken(Context ctx) {
                auth.check(ctx);
            }

            @Override
            public JsonNode jsonBody(Context ctx) {
                return RequestBodies.readJsonObject(ctx, json, maxBodyBytes);
            }
        };
    }

    void addTo(JavalinConfig config) {
        config.routes.get("/", this::index);
        config.routes.get("/metrics", this::metrics);
        config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        config.routes.get("/health/ready", readiness::respond);
        config.routes.get("/api/pools", this::listPools);
        config.routes.get("/api/pools/{name}", this::getPool);
        config.routes.get("/api/pools/{name}/config", this::getConfig);
        config.routes.put("/api/pools/{name}/config", this::putConfig);
        config.routes.get("/api/events", this::events);
        config.routes.get("/api/export", this::export);
        config.routes.exception(ProblemException.class, (e, ctx) -> Problems.write(ctx, json, e));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, json,
                new ProblemException(e.getStatus(), "http-" + e.getStatus(), e.getMessage(), e.getMessage())));
        config.routes.exception(Exception.class, (e, ctx) -> {
            log.error("request {} {} failed", ctx.method(), ctx.path(), e);
            Problems.write(ctx, json, new ProblemException(500, "internal-error", "Internal server error",
                    "the request failed inside poolwatch; the log has the details"));
        });
        config.routes.error(404, ctx -> {
            if (!Problems.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                Problems.write(ctx, json, ProblemException.notFound("no endpoint " + ctx.method() + " " + ctx.path()
                        + "; GET / lists the endpoints"));
            }
        });
        config.routes.error(405, ctx -> Problems.write(ctx, json, new ProblemException(405, "method-not-allowed",
                "Method not allowed", ctx.method() + " is not allowed on " + ctx.path())));
    }

    private void index(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "poolwatch");
        body.put("pools", pools.keySet());
        body.put("endpoints", List.of("GET /metrics", "GET /health/live", "GET /health/ready", "GET /api/pools",
                "GET /api/pools/{name}", "GET /api/pools/{name}/config", "PUT /api/pools/{name}/config (token)",
                "GET /api/events?since=&pool=&kind=&limit=&before=", "GET /api/export?format=json|csv&since="));
        body.put("writesEnabled", auth.enabled());
        ctx.json(body);
    }

    private void metrics(Context ctx) throws IOException {
        String accept = ctx.header("Accept");
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : PROMETHEUS_TEXT;
        ctx.contentType(type);
        registry.scrape(ctx.outputStream(), type);
    }

    private SqlitePool pool(String name) {
        PoolWatch.Monitored m = pools.get(name);
        if (m == null) {
            throw ProblemException.notFound("no pool named '" + name + "'; known pools: " + pools.keySet());
        }
        return m.pool();
    }

    private void listPools(Context ctx) {
        List<Object> all = new ArrayList<>();
        for (PoolWatch.Monitored m : pools.values()) {
            all.add(m.pool().stats());
        }
        ctx.json(Map.of("pools", all));
    }

    private void getPool(Context ctx) {
        ctx.json(pool(ctx.pathParam("name")).stats());
    }

    private void getConfig(Context ctx) {
        ctx.json(PoolConfigUpdate.view(pool(ctx.pathParam("name")).config()));
    }

    private void putConfig(Context ctx) throws SQLException {
        auth.check(ctx);
        SqlitePool pool = pool(ctx.pathParam("name"));
        try (MDC.MDCCloseable ignored = MDC.putCloseable("pool", pool.name())) {
            JsonNode body = RequestBodies.readJsonObject(ctx, json, maxBodyBytes);
            SqlitePoolConfig before = pool.config();
            SqlitePoolConfig next = PoolConfigUpdate.apply(before, body);
            store.saveConfig(pool.name(), PoolConfigUpdate.persisted(next, body));
            pool.reconfigure(next);
            Map<String, Object> changes = new LinkedHashMap<>();
            Map<String, Object> was = PoolConfigUpdate.view(before);
            Map<String, Object> now = PoolConfigUpdate.view(next);
            now.forEach((k, v) -> {
                if (!v.equals(was.get(k))) {
                    changes.put(k, Map.of("from", was.get(k), "to", v));
                }
            });
            log.info("pool '{}' configuration changed: {}", pool.name(), changes);
            store.record(Event.of(pool.name(), "config", Severity.INFO, "configuration changed through the API: "
                    + changes.keySet(), changes));
            ctx.json(now);
        }
    }

    private static void onlyParams(Context ctx, Set<String> allowed) {
        List<String> unknown = ctx.queryParamMap().keySet().stream().filter(k -> !allowed.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ProblemException.invalidField(unknown.get(0), "unknown query parameter(s) " + unknown
                    + "; this endpoint takes " + allowed.stream().sorted().toList());
        }
    }

    /** Accepts an ISO-8601 instant ({@code 2026-11-25T10:00:00Z}) or Unix epoch milliseconds. */
    static Instant parseInstant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw ProblemException.invalidField(name, name + " must be an ISO-8601 instant such as"
                    + " 2026-11-25T10:00:00Z or Unix epoch milliseconds, was '" + value + "'");
        }
    }

    private static long parseLong(String name, String value, long min, long max) {
        try {
            long v = Long.parseLong(value.strip());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ProblemException.invalidField(name, name + " must be a whole number between " + min + " and " + max
                    + ", was '" + value + "'");
        }
    }

    private void events(Context ctx) throws SQLException {
        onlyParams(ctx, Set.of("since", "pool", "kind", "limit", "before"));
        Instant since = parseInstant("since", ctx.queryParam("since"));
        String limitParam = ctx.queryParam("limit");
        int limit = limitParam == null ? 100 : (int) parseLong("limit", limitParam, 1, EventQuery.MAX_LIMIT);
        String beforeParam = ctx.queryParam("before");
        Long before = beforeParam == null ? null : parseLong("before", beforeParam, 1, Long.MAX_VALUE);
        String pool = blankToNull(ctx.queryParam("pool"));
        String kind = blankToNull(ctx.queryParam("kind"));
        List<Event> page = store.events(new EventQuery(since, pool, kind, before, limit));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("events", page.stream().map(ExporterRoutes::view).toList());
        String next = null;
        if (page.size() == limit) {
            Map<String, String> params = new LinkedHashMap<>();
            if (since != null) params.put("since", since.toString());
            if (pool != null) params.put("pool", pool);
            if (kind != null) params.put("kind", kind);
            params.put("limit", Integer.toString(limit));
            params.put("before", Long.toString(page.get(page.size() - 1).id()));
            next = "/api/events?" + params.entrySet().stream()
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
        }
        body.put("next", next);
        ctx.json(body);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static Map<String, Object> view(Event e) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", e.id());
        v.put("time", e.time().toString());
        v.put("pool", e.pool());
        v.put("kind", e.kind());
        v.put("severity", e.severity().tag());
        v.put("message", e.message());
        v.put("details", e.details());
        return v;
    }

    private void export(Context ctx) throws SQLException, IOException {
        onlyParams(ctx, Set.of("format", "since"));
        String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
        if (!format.equals("json") && !format.equals("csv")) {
            throw ProblemException.invalidField("format", "format must be json or csv, was '" + format + "'");
        }
        Instant since = parseInstant("since", ctx.queryParam("since"));
        String file = "poolwatch-export-" + Instant.now().toString().replace(":", "") + "." + format;
        ctx.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
        if (format.equals("json")) {
            ctx.contentType("application/json");
            exportJson(ctx.outputStream(), since);
        } else {
            ctx.contentType("text/csv; charset=utf-8");
            exportCsv(ctx.outputStream(), since);
        }
    }

    private void exportJson(OutputStream out, Instant since) throws SQLException, IOException {
        try (JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("generatedAt", Instant.now().toString());
            g.writeStringField("since", since == null ? null : since.toString());
            g.writeFieldName("pools");
            g.writeStartArray();
            for (PoolWatch.Monitored m : pools.values()) {
                json.writeValue(g, m.pool().stats());
            }
            g.writeEndArray();
            g.writeFieldName("events");
            g.writeStartArray();
            store.exportEvents(since, e -> json.writeValue(g, view(e)));
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private void exportCsv(OutputStream out, Instant since) throws SQLException, IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        w.write("record,time,pool,kind,severity,message,details\r\n");
        String now = Instant.now().toString();
        for (PoolWatch.Monitored m : pools.values()) {
            csvRow(w, "stats", now, m.pool().name(), "", "", "", json.writeValueAsString(m.pool().stats()));
        }
        store.exportEvents(since, e -> csvRow(w, "event", e.time().toString(), e.pool(), e.kind(), e.severity().tag(),
                e.message(), json.writeValueAsString(e.details())));
        w.flush();
    }

    private static void csvRow(Writer w, String... fields) throws IOException {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(csv(fields[i]));
        }
        w.write("\r\n");
    }

    /** RFC 4180 quoting; a leading formula character is prefixed so spreadsheets do not evaluate it. */
    static String csv(String s) {
        String v = s;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(s)) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
