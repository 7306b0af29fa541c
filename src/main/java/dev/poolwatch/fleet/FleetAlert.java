package dev.poolwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What the fleet reads of one alert of an Alertmanager webhook body: enough to find its owner and to audit it. The
 * alert itself is forwarded untouched; the owner's recovery endpoint reads it in full.
 */
record FleetAlert(JsonNode json, String alertname, String pool, String action, String instance, String owner,
                  boolean firing, String fingerprint, String startsAt) {

    /**
     * The alerts of a webhook body, or {@link IllegalArgumentException} naming the first part of the wrong shape, so
     * a bad body is refused before anything is relayed.
     */
    static List<FleetAlert> read(JsonNode body) {
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new IllegalArgumentException("the body must have an 'alerts' array");
        }
        List<FleetAlert> out = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode a = alerts.get(i);
            if (!a.isObject()) {
                throw new IllegalArgumentException("alerts[" + i + "] must be an object");
            }
            JsonNode labels = a.path("labels");
            if (!labels.isMissingNode() && !labels.isNull() && !labels.isObject()) {
                throw new IllegalArgumentException("alerts[" + i + "].labels must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = labels.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("alerts[" + i + "].labels." + e.getKey() + " must be a string");
                }
            }
            String instance = labels.path("instance").asText(null);
            out.add(new FleetAlert(a, labels.path("alertname").asText(""), labels.path("pool").asText(null),
                    labels.path("recovery_action").asText(null), instance, Address.ofLabel(instance),
                    !"resolved".equals(a.path("status").asText()), a.path("fingerprint").asText(null),
                    a.path("startsAt").asText(null)));
        }
        return out;
    }
}
