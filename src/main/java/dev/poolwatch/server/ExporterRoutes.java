package dev.poolwatch.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.config.ConfigHistory;
import dev.poolwatch.config.ConfigHistoryRoutes;
import dev.poolwatch.pool.PoolState;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.store.ConfigVersions;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The exporter's HTTP endpoints. Every error is an RFC 9457 problem document. */
final class ExporterRoutes {

    private static final Logger log = LoggerFactory.getLogger(ExporterRoutes.class);
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration ERROR_LOG_EVERY = Duration.ofSeconds(10);

    private final Map<String, PoolWatch.Monitored> pools;
    private final PrometheusMeterRegistry registry;
    private final EventStore store;
    private final BearerAuth auth;
    private final ObjectMapper json;
    private final long maxBodyBytes;
    private final Readiness readiness;
    private final EventRoutes events;
    private final AtomicLong lastErrorLogged = new AtomicLong(System.nanoTime() - ERROR_LOG_EVERY.toNanos());
    private final LongAdder errorsNotLogged = new LongAdder();
    private final ConfigHistory history;

    ExporterRoutes(Map<String, PoolWatch.Monitored> pools, PrometheusMeterRegistry registry, EventStore store,
                   BearerAuth auth, ObjectMapper json, long maxBodyBytes, Duration readinessTimeout,
                   ConfigHistory history) {
        this.history = history;
        this.pools = pools;
        this.registry = registry;
        this.store = store;
        this.auth = auth;
        this.json = json;
        this.maxBodyBytes = maxBodyBytes;
        this.readiness = new Readiness(pools, store, json, readinessTimeout);
        this.events = new EventRoutes(pools, store, json);
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

            @Override
            public <T> T serializedConfigChange(String pool, Callable<T> change) throws Exception {
                return ExporterRoutes.this.serializedConfigChange(pool, change);
            }
        };
    }

    void addTo(JavalinConfig config) {
        config.routes.before(ExporterRoutes::refuseMethodOverride);
        config.routes.get("/", this::index);
        config.routes.get("/metrics", this::metrics);
        config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "UP")));
        config.routes.get("/health/ready", readiness::respond);
        config.routes.get("/api/pools", this::listPools);
        config.routes.get("/api/pools/{name}", this::getPool);
        config.routes.get("/api/pools/{name}/config", this::getConfig);
        config.routes.put("/api/pools/{name}/config", this::putConfig);
        events.addTo(config);
        new ConfigHistoryRoutes(history, context()).addTo(config);
        config.routes.exception(ProblemException.class, (e, ctx) -> Problems.write(ctx, json, e));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> Problems.write(ctx, json,
                new ProblemException(e.getStatus(), "http-" + e.getStatus(), e.getMessage(), e.getMessage())));
        config.routes.exception(Exception.class, this::failed);
        config.routes.error(404, ctx -> {
            if (!Problems.CONTENT_TYPE.equals(ctx.res().getContentType())) {
                Problems.write(ctx, json, ProblemException.notFound("no endpoint " + ctx.method() + " " + ctx.path()
                        + "; GET / lists the endpoints"));
            }
        });
        config.routes.error(405, ctx -> Problems.write(ctx, json, new ProblemException(405, "method-not-allowed",
                "Method not allowed", ctx.req().getMethod() + " is not allowed on " + ctx.path())));
    }

    /** Javalin would route a request by this header instead of its method: a GET could then change settings. */
    private static void refuseMethodOverride(Context ctx) {
        if (ctx.header("X-HTTP-Method-Override") != null) {
            throw ProblemException.badRequest("X-HTTP-Method-Override is not supported; send the request with the"
                    + " method itself");
        }
    }

    /**
     * A failure inside a handler. Once the response has started (a streamed export), a problem document can no longer
     * replace it: the connection is aborted, so the client sees a cut stream and not a 200 with an error appended.
     * A client that went away is not an error; anything else is logged at most once per {@link #ERROR_LOG_EVERY}
     * with how many were not, so no request can write a log line at will.
     */
    private void failed(Exception e, Context ctx) {
        if (ctx.res().isCommitted()) {
            ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection()
                    .getEndPoint().close();
            if (e instanceof IOException) {
                return;
            }
        }
        long now = System.nanoTime();
        long last = lastErrorLogged.get();
        if (now - last >= ERROR_LOG_EVERY.toNanos() && lastErrorLogged.compareAndSet(last, now)) {
            log.error("request {} {} failed ({} more failures not logged since the last one)", ctx.req().getMethod(),
                    ctx.path(), errorsNotLogged.sumThenReset(), e);
        } else {
            errorsNotLogged.increment();
        }
        if (!ctx.res().isCommitted()) {
            Problems.write(ctx, json, new ProblemException(500, "internal-error", "Internal server error",
                    "the request failed inside poolwatch; the log has the details"));
        }
    }

    private void index(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "poolwatch");
        body.put("pools", pools.keySet());
        body.put("endpoints", List.of("GET /metrics", "GET /health/live", "GET /health/ready", "GET /api/pools",
                "GET /api/pools/{name}", "GET /api/pools/{name}/config", "PUT /api/pools/{name}/config?trial= (token)",
                "GET /api/pools/{name}/config/history?limit=&before=", "POST /api/pools/{name}/config/rollback (token)",
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

    /** Changes to one pool's settings, one at a time, so that what is saved is always what is live. */
    private <T> T serializedConfigChange(String name, Callable<T> change) throws Exception {
        pool(name);
        ReentrantLock lock = pools.get(name).configLock();
        lock.lock();
        try {
            return change.call();
        } finally {
            lock.unlock();
        }
    }

    private void putConfig(Context ctx) throws Exception {
        auth.check(ctx);
        SqlitePool pool = pool(ctx.pathParam("name"));
        onlyParams(ctx, Set.of("trial"));
        Duration trial = history.parseTrial(ctx.queryParam("trial"));
        JsonNode body = RequestBodies.readJsonObject(ctx, json, maxBodyBytes);
        ctx.json(serializedConfigChange(pool.name(), () -> changeConfig(pool, body, trial)));
    }

    private static void onlyParams(Context ctx, Set<String> allowed) {
        List<String> unknown = ctx.queryParamMap().keySet().stream().filter(k -> !allowed.contains(k)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw ProblemException.invalidField(unknown.get(0), "unknown query parameter(s) " + unknown
                    + "; this endpoint takes " + allowed.stream().sorted().toList());
        }
    }

    /** One versioned change: saved and applied together, audited, answered with the live settings. */
    private Map<String, Object> changeConfig(SqlitePool pool, JsonNode body, Duration trial) throws SQLException {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("pool", pool.name())) {
            Set<String> named = new java.util.LinkedHashSet<>();
            body.fieldNames().forEachRemaining(named::add);
            ConfigVersions.Version v = history.change(pool, "token", trial == null ? "put" : "trial", named,
                    c -> PoolConfigUpdate.apply(c, body), trial, null);
            Map<String, Object> details = new LinkedHashMap<>(v.changes());
            details.put("version", v.version());
            log.info("pool '{}' configuration changed: {} (version {})", pool.name(), v.changes(), v.version());
            store.record(Event.of(pool.name(), "config", Severity.INFO, "configuration changed through the API: "
                    + v.changes().keySet() + " (version " + v.version() + ")" + (trial == null ? "" : "; on trial"
                    + " until " + v.trialUntil() + ", rolled back by itself if timeouts or errors rise"), details));
            Map<String, Object> now = PoolConfigUpdate.view(pool.config());
            now.put("version", v.version());
            if (trial != null) {
                now.put("trialUntil", v.trialUntil().toString());
            }
            return now;
        }
    }
}
