package dev.poolwatch.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import dev.poolwatch.store.EventStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * {@code GET /api/events} (a page, newest first) and {@code GET /api/export} (everything, as JSON or CSV). The export
 * reads the store a page at a time and holds no database connection while it writes to the client, so a client that
 * reads slowly (or not at all) costs one socket, up to the idle timeout, and one of {@link #MAX_EXPORTS} slots.
 */
final class EventRoutes {

    static final int MAX_EXPORTS = 2;

    private final Map<String, PoolWatch.Monitored> pools;
    private final EventStore store;
    private final ObjectMapper json;
    private final Semaphore exports = new Semaphore(MAX_EXPORTS);

    EventRoutes(Map<String, PoolWatch.Monitored> pools, EventStore store, ObjectMapper json) {
        this.pools = pools;
        this.store = store;
        this.json = json;
    }

    void addTo(JavalinConfig config) {
        config.routes.get("/api/events", this::events);
        config.routes.get("/api/export", this::export);
    }

    private void events(Context ctx) throws SQLException, IOException {
        QueryParams.onlyParams(ctx, Set.of("since", "pool", "kind", "limit", "before"));
        Instant since = QueryParams.instant("since", ctx.queryParam("since"));
        String limitParam = ctx.queryParam("limit");
        int limit = limitParam == null ? 100 : (int) QueryParams.whole("limit", limitParam, 1, EventQuery.MAX_LIMIT);
        String beforeParam = ctx.queryParam("before");
        Long before = beforeParam == null ? null : QueryParams.whole("before", beforeParam, 1, Long.MAX_VALUE);
        String pool = QueryParams.blankToNull(ctx.queryParam("pool"));
        String kind = QueryParams.blankToNull(ctx.queryParam("kind"));
        List<Event> page = store.events(new EventQuery(since, pool, kind, before, limit));
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
        ctx.contentType("application/json");
        try (JsonGenerator g = json.getFactory().createGenerator(ctx.outputStream())) {
            g.writeStartObject();
            g.writeFieldName("events");
            g.writeStartArray();
            for (Event e : page) {
                json.writeValue(g, view(e));
            }
            g.writeEndArray();
            g.writeStringField("next", next);
            g.writeEndObject();
        }
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
        QueryParams.onlyParams(ctx, Set.of("format", "since"));
        String format = ctx.queryParam("format") == null ? "json" : ctx.queryParam("format");
        if (!format.equals("json") && !format.equals("csv")) {
            throw ProblemException.invalidField("format", "format must be json or csv, was '" + format + "'");
        }
        Instant since = QueryParams.instant("since", ctx.queryParam("since"));
        if (!exports.tryAcquire()) {
            ctx.header("Retry-After", "10");
            throw new ProblemException(429, "too-many-exports", "Too many exports",
                    MAX_EXPORTS + " exports are already running; retry when one has finished");
        }
        try {
            String file = "poolwatch-export-" + Instant.now().toString().replace(":", "") + "." + format;
            ctx.header("Content-Disposition", "attachment; filename=\"" + file + "\"");
            if (format.equals("json")) {
                ctx.contentType("application/json");
                exportJson(ctx.outputStream(), since);
            } else {
                ctx.contentType("text/csv; charset=utf-8");
                exportCsv(ctx.outputStream(), since);
            }
        } finally {
            exports.release();
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
