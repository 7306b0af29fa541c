package dev.poolwatch.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The doctor's HTTP client: short timeouts, and a failure is an answer ({@link Answer#error}), not an exception. */
final class Web {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** A response, or why there was none ({@code status} 0). */
    record Answer(int status, String body, String error) {
        boolean ok() {
            return status >= 200 && status < 300;
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }

        /** "HTTP 401" or the connection error, for a detail line. */
        String describe() {
            return status == 0 ? error : "HTTP " + status;
        }
    }

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    Answer get(URI uri, String bearer) {
        return send(request(uri, bearer).GET());
    }

    Answer post(URI uri, String bearer, String json) {
        return send(request(uri, bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static HttpRequest.Builder request(URI uri, String bearer) {
        URI target = uri;
        HttpRequest.Builder b;
        if (uri.getUserInfo() != null) {
            // http://user:password@grafana:3000 is how Grafana's basic auth is given on the command line.
            target = URI.create(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            b = HttpRequest.newBuilder(target).header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString(uri.getUserInfo().getBytes(StandardCharsets.UTF_8)));
        } else {
            b = HttpRequest.newBuilder(target);
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
        }
        return b.timeout(TIMEOUT);
    }

    private Answer send(HttpRequest.Builder b) {
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), null);
        } catch (IOException e) {
            return new Answer(0, "", "no answer (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, "", "interrupted");
        }
    }

    /** {@code base} with {@code path} appended to its path (a base may carry a prefix such as /prometheus). */
    static URI at(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }
}
