package dev.poolwatch.recovery;

import java.util.Map;

/**
 * One alert of an Alertmanager delivery, or a manual trigger. {@code dedupeKey} identifies the alert across repeated
 * and HA-duplicated deliveries (fingerprint and start time); manual triggers have none.
 */
record AlertRequest(String alertname, boolean firing, String pool, String action, String fingerprint,
                    String startsAt, Map<String, String> labels) {

    String dedupeKey() {
        return fingerprint == null || fingerprint.isEmpty() ? null : fingerprint + "@" + startsAt;
    }
}
