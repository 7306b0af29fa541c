package dev.poolwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.poolwatch.recovery.RecoveryEngine;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.server.ProblemException;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery in a fleet (docs/recovery.md#many-instances). Alertmanager posts every recovery alert to
 * {@code POST /alertmanager/relay} of any instance; that instance forwards each alert to the recovery webhook of the
 * peer whose address equals the alert's {@code instance} label, and only to a known peer. The owner acts, and its
 * fingerprint-and-start-time dedupe makes the action run once however many Alertmanagers and relays deliver it.
 * {@code /alertmanager/webhook} then accepts only this instance's own alerts (421 otherwise), so an Alertmanager
 * still pointed at it cannot make one instance act on another's pool of the same name.
 */
public final class FleetRoutes implements PoolWatch.Extension {

    private static final Logger log = LoggerFactory.getLogger(FleetRoutes.class);
    static final String MISDIRECTED = "misdirected";
    private static final List<String> OUTCOMES = List.of(AlertRelay.RELAYED, AlertRelay.UNKNOWN_INSTANCE,
            AlertRelay.REFUSED, AlertRelay.FAILED, MISDIRECTED);

    private final FleetSettings settings;
    private final Map<String, Counter> counters = new LinkedHashMap<>();

    public FleetRoutes(FleetSettings settings) {
        this.settings = settings;
    }

    @Override
    public void addRoutes(JavalinConfig config, PoolWatch.Context context) {
        AlertRelay relay = new AlertRelay(context.json(), settings.relayTimeout());
        for (String outcome : OUTCOMES) {
            counters.put(outcome, Counter.builder("poolwatch.fleet.alerts")
                    .description("Alerts the fleet relay and ownership check handled, by outcome")
                    .tag("outcome", outcome).register(context.registry()));
        }
        config.routes.post("/alertmanager/relay", ctx -> relay(ctx, context, relay));
        config.routes.before("/alertmanager/webhook", ctx -> {
            if ("POST".equals(ctx.req().getMethod())) {
                requireOwnAlerts(ctx, context);
            }
        });
        config.routes.get("/api/fleet", ctx -> ctx.json(Map.of("self", self(ctx),
                "peers", new TreeSet<>(settings.peers().addresses()))));
        log.info("fleet relay ready: peers {}, this instance {}", settings.peers(),
                settings.self() != null ? settings.self() : "(the address each request arrives on)");
    }

    private void relay(Context ctx, PoolWatch.Context context, AlertRelay relay) {
        context.requireToken(ctx);
        JsonNode body = context.jsonBody(ctx);
        List<FleetAlert> alerts = alerts(body);
        Set<String> peers = settings.peers().addresses();
        List<AlertRelay.Result> results = relay.relay(body, alerts, peers, ctx.header("Authorization"));
        List<Map<String, Object>> view = new ArrayList<>();
        boolean failed = false;
        for (AlertRelay.Result r : results) {
            failed |= AlertRelay.FAILED.equals(r.outcome());
            Map<String, Object> extra = new LinkedHashMap<>();
            if (r.peer() != null) {
                extra.put("peer", r.peer());
            }
            if (r.ownerOutcome() != null) {
                extra.put("ownerOutcome", r.ownerOutcome());
            }
            audit(context, r.alert(), r.outcome(), r.reason(), extra);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("alertname", r.alert().alertname());
            v.put("pool", r.alert().pool());
            v.put("instance", r.alert().instance());
            v.put("outcome", r.outcome());
            v.putAll(extra);
            v.put("reason", r.reason());
            view.add(v);
        }
        if (failed) {
            // 5xx makes Alertmanager send the whole group again; owners that already have it deduplicate it.
            throw new ProblemException(502, "relay-failed", "Relay failed", "an owner of some of these alerts"
                    + " could not be reached; Alertmanager will retry", Map.of("outcomes", view));
        }
        ctx.status(202).json(Map.of("receiver", body.path("receiver").asText(""), "outcomes", view));
    }

    private void requireOwnAlerts(Context ctx, PoolWatch.Context context) {
        context.requireToken(ctx);
        String self = self(ctx);
        List<FleetAlert> foreign = alerts(context.jsonBody(ctx)).stream()
                .filter(a -> a.instance() != null && !self.equals(a.owner())).toList();
        if (foreign.isEmpty()) {
            return;
        }
        for (FleetAlert a : foreign) {
            audit(context, a, MISDIRECTED, "refused: the alert belongs to instance '" + a.instance() + "', this is "
                    + self + "; point Alertmanager at /alertmanager/relay", Map.of());
        }
        throw new ProblemException(421, "misdirected", "Misdirected alert", foreign.size() + " of these alerts"
                + " belong to other instances (first: '" + foreign.get(0).instance() + "'; this is " + self
                + "); in a fleet Alertmanager posts to /alertmanager/relay, which sends each alert to its owner",
                Map.of("self", self));
    }

    private String self(Context ctx) {
        return settings.self() != null ? settings.self() : Address.of(ctx.req().getLocalAddr(), ctx.req().getLocalPort());
    }

    private static List<FleetAlert> alerts(JsonNode body) {
        try {
            return FleetAlert.read(body);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("not an Alertmanager webhook payload: " + e.getMessage());
        }
    }

    private void audit(PoolWatch.Context context, FleetAlert a, String outcome, String reason,
                       Map<String, Object> extra) {
        counters.get(outcome).increment();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("action", a.action() != null ? a.action() : "_unknown");
        details.put("outcome", outcome);
        details.put("alertname", a.alertname());
        details.put("status", a.firing() ? "firing" : "resolved");
        if (a.instance() != null) {
            details.put("instance", a.instance());
        }
        if (a.fingerprint() != null) {
            details.put("fingerprint", a.fingerprint());
            details.put("startsAt", a.startsAt());
        }
        details.putAll(extra);
        Severity severity = AlertRelay.RELAYED.equals(outcome) ? Severity.INFO : Severity.WARNING;
        context.events().record(Event.of(a.pool() != null ? a.pool() : "_unknown", "recovery", severity, reason,
                details));
        if (severity == Severity.WARNING) {
            log.warn("fleet: alert {} for pool {}: {} ({})", printable(a.alertname()), printable(a.pool()), outcome,
                    printable(reason));
        }
    }

    private static String printable(String s) {
        return s == null ? "-" : RecoveryEngine.printable(s);
    }
}
