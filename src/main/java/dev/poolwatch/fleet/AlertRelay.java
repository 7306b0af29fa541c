package dev.poolwatch.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends each alert of a delivery to the recovery webhook of the peer that owns it (the member of the peer set equal
 * to its {@code instance} label), all owners in parallel, and reports per alert what happened.
 */
final class AlertRelay {

    static final String RELAYED = "relayed";
    static final String UNKNOWN_INSTANCE = "unknown_instance";
    static final String REFUSED = "refused";
    static final String FAILED = "failed";

    /** What became of one alert: its outcome, the owner it went to (or null) and the owner's own outcome. */
    record Result(FleetAlert alert, String outcome, String peer, String ownerOutcome, String reason) {
    }

    private final HttpClient http;
    private final ObjectMapper json;
    private final Duration timeout;

    AlertRelay(ObjectMapper json, Duration timeout) {
        this.json = json;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @param authorization the caller's Authorization header, already checked against this instance's token */
    List<Result> relay(JsonNode body, List<FleetAlert> alerts, Set<String> peers, String authorization) {
        Result[] out = new Result[alerts.size()];
        Map<String, List<Integer>> byOwner = new LinkedHashMap<>();
        for (int i = 0; i < alerts.size(); i++) {
            FleetAlert a = alerts.get(i);
            if (a.owner() != null && peers.contains(a.owner())) {
                byOwner.computeIfAbsent(a.owner(), k -> new ArrayList<>()).add(i);
            } else {
                out[i] = new Result(a, UNKNOWN_INSTANCE, null, null, a.instance() == null
                        ? "the alert has no instance label, so no owner"
                        : "instance '" + a.instance() + "' is not one of the " + peers.size() + " known peers");
            }
        }
        Map<String, CompletableFuture<HttpResponse<String>>> sent = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : byOwner.entrySet()) {
            ObjectNode part = body.deepCopy();
            ArrayNode subset = part.putArray("alerts");
            e.getValue().forEach(i -> subset.add(alerts.get(i).json()));
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + e.getKey() + "/alertmanager/webhook"))
                    .timeout(timeout).header("Authorization", authorization).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(part.toString())).build();
            sent.put(e.getKey(), http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (Map.Entry<String, CompletableFuture<HttpResponse<String>>> e : sent.entrySet()) {
            String peer = e.getKey();
            List<Integer> indexes = byOwner.get(peer);
            try {
                HttpResponse<String> r = e.getValue().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
                List<String> ownerOutcomes = ownerOutcomes(r.body());
                for (int k = 0; k < indexes.size(); k++) {
                    int i = indexes.get(k);
                    String owners = k < ownerOutcomes.size() ? ownerOutcomes.get(k) : null;
                    out[i] = r.statusCode() / 100 == 2
                            ? new Result(alerts.get(i), RELAYED, peer, owners, "relayed to its owner " + peer
                                    + (owners == null ? "" : ", which answered " + owners))
                            : new Result(alerts.get(i), r.statusCode() >= 500 ? FAILED : REFUSED, peer, null,
                                    "its owner " + peer + " answered HTTP " + r.statusCode());
                }
            } catch (ExecutionException | TimeoutException ex) {
                e.getValue().cancel(true);
                Throwable cause = ex instanceof ExecutionException && ex.getCause() != null ? ex.getCause() : ex;
                for (int i : indexes) {
                    out[i] = new Result(alerts.get(i), FAILED, peer, null, "its owner " + peer + " could not be"
                            + " reached: " + cause.getClass().getSimpleName());
                }
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                for (int i : indexes) {
                    out[i] = new Result(alerts.get(i), FAILED, peer, null, "interrupted while relaying to " + peer);
                }
            }
        }
        return Arrays.asList(out);
    }

    /** The owner's outcome for each alert it was sent, in order, as its recovery endpoint answers them. */
    private List<String> ownerOutcomes(String body) {
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode o : json.readTree(body).path("outcomes")) {
                out.add(o.path("outcome").asText(null));
            }
        } catch (java.io.IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }
}
