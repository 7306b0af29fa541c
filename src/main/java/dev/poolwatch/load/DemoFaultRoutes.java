package dev.poolwatch.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.server.ProblemException;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/demo/faults/{fault}} (optional body {@code {"seconds": N}}, 1 to 600, default 180),
 * {@code DELETE /api/demo/faults/{fault}}, {@code DELETE /api/demo/faults} and {@code GET /api/demo/faults}, for the
 * demo only. Starting and ending faults needs the token. Every start and every end (by request, by its own timer, by
 * a restart of the fault or at shutdown) is a {@code fault} event.
 */
public final class DemoFaultRoutes implements PoolWatch.Extension {

    private final SqlitePool pool;
    private final FaultInjector faults;
    private volatile EventStore events;

    public DemoFaultRoutes(SqlitePool pool) {
        this.pool = pool;
        this.faults = new FaultInjector(pool, this::ended);
    }

    private void ended(FaultInjector.Fault fault, String cause, Duration ran) {
        EventStore store = events;
        if (store != null) {
            store.record(Event.of(pool.name(), "fault", Severity.INFO, "demo fault '" + fault.tag() + "' ended ("
                    + cause + ") after " + ran.toSeconds() + " s", Map.of("fault", fault.tag(), "ended", cause,
                    "ranSeconds", ran.toSeconds())));
        }
    }

    @Override
    public void addRoutes(JavalinConfig config, PoolWatch.Context context) {
        events = context.events();
        config.routes.get("/api/demo/faults", ctx -> ctx.json(Map.of("active", faults.active(), "faults",
                Arrays.stream(FaultInjector.Fault.values()).map(FaultInjector.Fault::tag).toList())));
        config.routes.post("/api/demo/faults/{fault}", ctx -> {
            context.requireToken(ctx);
            FaultInjector.Fault fault = fault(ctx);
            Duration duration = FaultInjector.Fault.DEFAULT_DURATION;
            boolean chunked = ctx.header("Transfer-Encoding") != null;
            if (chunked || ctx.header("Content-Length") != null && !"0".equals(ctx.header("Content-Length"))) {
                JsonNode body = context.jsonBody(ctx);
                JsonNode seconds = body.get("seconds");
                if (seconds == null || !seconds.isIntegralNumber() || seconds.asLong() < 1 || seconds.asLong() > 600) {
                    throw ProblemException.invalidField("seconds", "seconds must be a whole number between 1 and 600");
                }
                duration = Duration.ofSeconds(seconds.asLong());
            }
            Map<String, Object> what = new LinkedHashMap<>(faults.start(fault, duration));
            what.put("fault", fault.tag());
            what.put("seconds", duration.toSeconds());
            context.events().record(Event.of(pool.name(), "fault", Severity.WARNING, "demo fault '" + fault.tag()
                    + "' injected for " + duration.toSeconds() + " s", what));
            ctx.status(202).json(what);
        });
        config.routes.delete("/api/demo/faults/{fault}", ctx -> {
            context.requireToken(ctx);
            FaultInjector.Fault fault = fault(ctx);
            ctx.json(Map.of("fault", fault.tag(), "ended", faults.end(fault)));
        });
        config.routes.delete("/api/demo/faults", ctx -> {
            context.requireToken(ctx);
            ctx.json(Map.of("ended", faults.endAll()));
        });
    }

    private static FaultInjector.Fault fault(Context ctx) {
        FaultInjector.Fault f = FaultInjector.Fault.fromTag(ctx.pathParam("fault"));
        if (f == null) {
            throw ProblemException.notFound("no fault named '" + ctx.pathParam("fault") + "'; faults are "
                    + Arrays.stream(FaultInjector.Fault.values()).map(FaultInjector.Fault::tag).toList());
        }
        return f;
    }

    @Override
    public void close() {
        faults.close();
    }
}
