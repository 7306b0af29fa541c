package dev.poolwatch.recovery;

import dev.poolwatch.server.PoolWatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /alertmanager/webhook?dryRun=true}: says what each alert of a delivery would ask for, after the same
 * token and payload checks as a real delivery, and changes nothing: no action, no event, no metric, no cooldown or
 * deduplication entry. {@code poolwatch doctor} uses it to prove that the webhook accepts its token.
 */
final class DryRun {

    private DryRun() {
    }

    static List<Map<String, Object>> preview(List<AlertRequest> alerts, PoolWatch.Context context) {
        return alerts.stream().map(a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alertname", a.alertname());
            m.put("pool", a.pool());
            m.put("action", a.action());
            RecoveryAction action = a.action() == null ? null : RecoveryAction.fromTag(a.action());
            boolean knownPool = a.pool() != null && context.pools().stream().anyMatch(p -> p.name().equals(a.pool()));
            String reason;
            if (!a.firing()) {
                reason = "the alert is resolved; nothing would run";
            } else if (action == null) {
                reason = a.action() == null ? "the alert has no recovery_action label" : "unknown recovery_action '"
                        + a.action() + "'";
            } else if (!knownPool) {
                reason = a.pool() == null ? "the alert has no pool label" : "unknown pool '" + a.pool() + "'";
            } else {
                reason = action.tag() + " would be considered for '" + a.pool() + "' (cooldown, budget and"
                        + " deduplication still apply to a real delivery)";
            }
            m.put("outcome", a.firing() && action != null && knownPool ? "would_run" : "would_reject");
            m.put("reason", reason);
            return m;
        }).toList();
    }
}
