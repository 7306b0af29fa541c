package dev.poolwatch.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.server.ProblemException;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery endpoint: Alertmanager's webhook, the manual trigger and the recovery state. A delivery is answered
 * 202 at once with one outcome per alert; the actions run in the background. Every route that acts needs the token.
 */
public final class RecoveryRoutes implements PoolWatch.Extension {

    private static final Logger log = LoggerFactory.getLogger(RecoveryRoutes.class);

    private final RecoverySettings settings;
    private volatile RecoveryEngine engine;

    public RecoveryRoutes(RecoverySettings settings) {
        this.settings = settings;
    }

    /** The engine, once the exporter has started. */
    public RecoveryEngine engine() {
        return engine;
    }

    @Override
    public void addRoutes(JavalinConfig config, PoolWatch.Context context) {
        try {
            engine = new RecoveryEngine(settings, name -> context.pools().stream()
                    .filter(p -> p.name().equals(name)).findFirst().orElse(null),
                    context.pools().stream().map(SqlitePool::name).toList(), context.events(), context.registry());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot load the recovery state from the event store: " + e.getMessage(), e);
        }
        config.routes.post("/alertmanager/webhook", ctx -> webhook(ctx, context));
        config.routes.post("/alertmanager/notifications", ctx -> notifications(ctx, context));
        config.routes.post("/api/pools/{name}/actions/{action}", ctx -> trigger(ctx, context));
        config.routes.get("/api/recovery", ctx -> ctx.json(engine.state()));
        config.routes.post("/api/recovery/circuit/close", ctx -> {
            context.requireToken(ctx);
            boolean closed = engine.closeCircuit("closed through the API");
            ctx.json(Map.of("closed", closed, "state", engine.state()));
        });
        log.info("recovery endpoint ready{} (cooldown {}, budget {} per {})", settings.dryRun() ? " in DRY-RUN mode"
                : "", settings.cooldown(), settings.budget(), settings.budgetWindow());
    }

    private void webhook(Context ctx, PoolWatch.Context context) {
        context.requireToken(ctx);
        String dryRun = ctx.queryParam("dryRun");
        if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
            throw ProblemException.invalidField("dryRun", "dryRun must be true or false, was '" + dryRun + "'");
        }
        JsonNode body = context.jsonBody(ctx);
        AlertmanagerPayload.Delivery delivery = delivery(body);
        if ("true".equals(dryRun)) {
            ctx.json(Map.of("dryRun", true, "outcomes", DryRun.preview(delivery.alerts(), context)));
            return;
        }
        List<RecoveryEngine.Decision> decisions = engine.handle(delivery.alerts());
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("receiver", body.path("receiver").asText(""));
        answer.put("outcomes", view(decisions));
        if (delivery.truncated() > 0) {
            answer.put("truncated", delivery.truncated());
            log.warn("webhook delivery had {} alerts beyond the limit of {}; they were not read",
                    delivery.truncated(), settings.maxAlertsPerDelivery());
        }
        ctx.status(202).json(answer);
    }

    /**
     * The demo's stand-in for a person's pager: Alertmanager's critical-alert receiver posts here, and each alert is
     * logged and kept as a {@code notification} event. Users point that receiver at email, Slack or PagerDuty.
     */
    private void notifications(Context ctx, PoolWatch.Context context) {
        context.requireToken(ctx);
        AlertmanagerPayload.Delivery delivery = delivery(context.jsonBody(ctx));
        for (AlertRequest a : delivery.alerts()) {
            String severity = a.labels().getOrDefault("severity", "warning");
            String state = a.firing() ? "firing" : "resolved";
            log.warn("NOTIFICATION {} {} (severity {}, pool {})", state, RecoveryEngine.printable(a.alertname()),
                    RecoveryEngine.printable(severity), a.pool() == null ? "-" : RecoveryEngine.printable(a.pool()));
            context.events().record(Event.of(a.pool() == null ? "_alerts" : a.pool(), "notification",
                    a.firing() && "critical".equals(severity) ? Severity.CRITICAL : Severity.INFO,
                    a.alertname() + " " + state, Map.of("alertname", a.alertname(), "status", state,
                            "severity", severity, "labels", a.labels())));
        }
        ctx.json(Map.of("received", delivery.alerts().size()));
    }

    /** The alerts of a webhook body, or a 400 problem saying what is not of the webhook's shape. */
    private AlertmanagerPayload.Delivery delivery(JsonNode body) {
        try {
            return AlertmanagerPayload.parse(body, settings.maxAlertsPerDelivery());
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("not an Alertmanager webhook payload: " + e.getMessage());
        }
    }

    private void trigger(Context ctx, PoolWatch.Context context) {
        context.requireToken(ctx);
        SqlitePool pool = context.pool(ctx.pathParam("name"));
        String action = ctx.pathParam("action");
        String force = ctx.queryParam("force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw ProblemException.invalidField("force", "force must be true or false, was '" + force + "'");
        }
        if (RecoveryAction.fromTag(action) == null) {
            engine.trigger(pool.name(), action, false);
            List<String> known = new ArrayList<>();
            for (RecoveryAction a : RecoveryAction.values()) {
                known.add(a.tag());
            }
            throw ProblemException.invalidField("action", "unknown action '" + action + "'; actions are " + known);
        }
        RecoveryEngine.Decision d = engine.trigger(pool.name(), action, "true".equals(force));
        ctx.status(202).json(Map.of("outcomes", view(List.of(d))));
    }

    private static List<Map<String, Object>> view(List<RecoveryEngine.Decision> decisions) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (RecoveryEngine.Decision d : decisions) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alertname", d.alertname());
            m.put("pool", d.pool());
            m.put("action", d.action());
            m.put("outcome", d.outcome().tag());
            m.put("reason", d.reason());
            out.add(m);
        }
        return out;
    }

    @Override
    public void close() {
        if (engine != null) {
            engine.close();
        }
    }
}
