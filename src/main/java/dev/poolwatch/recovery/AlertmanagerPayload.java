package dev.poolwatch.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads Alertmanager's webhook payload (version 4). Missing optional fields and unknown fields are tolerated, as
 * newer Alertmanagers add some; a body of the wrong shape is refused as a whole before anything runs.
 */
final class AlertmanagerPayload {

    /** The alerts of a delivery, and how many beyond the per-delivery limit were not read. */
    record Delivery(List<AlertRequest> alerts, int truncated) {
    }

    private AlertmanagerPayload() {
    }

    /** Throws {@link IllegalArgumentException} describing the first thing of the wrong shape. */
    static Delivery parse(JsonNode body, int maxAlerts) {
        JsonNode version = body.get("version");
        if (version != null && !version.isNull() && !version.asText().equals("4")) {
            throw new IllegalArgumentException("version must be \"4\" (Alertmanager's webhook format), was " + version);
        }
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new IllegalArgumentException("the body must have an 'alerts' array");
        }
        List<AlertRequest> out = new ArrayList<>();
        int i = 0;
        for (JsonNode a : alerts) {
            if (!a.isObject()) {
                throw new IllegalArgumentException("alerts[" + i + "] must be an object");
            }
            Map<String, String> labels = strings(a.get("labels"), "alerts[" + i + "].labels");
            String status = text(a, "status", "alerts[" + i + "]");
            if (status != null && !status.equals("firing") && !status.equals("resolved")) {
                throw new IllegalArgumentException("alerts[" + i + "].status must be firing or resolved, was '"
                        + status + "'");
            }
            String fingerprint = text(a, "fingerprint", "alerts[" + i + "]");
            String startsAt = text(a, "startsAt", "alerts[" + i + "]");
            if (i < maxAlerts) {
                out.add(new AlertRequest(labels.getOrDefault("alertname", ""), !"resolved".equals(status),
                        labels.get("pool"), labels.get("recovery_action"),
                        fingerprint != null ? fingerprint : fingerprintOf(labels), startsAt == null ? "" : startsAt,
                        labels));
            }
            i++;
        }
        return new Delivery(out, Math.max(0, i - maxAlerts));
    }

    private static String text(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + " must be a string");
        }
        return n.asText();
    }

    private static Map<String, String> strings(JsonNode node, String where) {
        Map<String, String> out = new TreeMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException(where + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** A stable identity from the label set, for senders that leave out Alertmanager's own fingerprint. */
    static String fingerprintOf(Map<String, String> labels) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            new TreeMap<>(labels).forEach((k, v) -> {
                md.update(k.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(v.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            });
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
