package dev.poolwatch.server;

import java.util.Map;

/**
 * An RFC 9457 problem to answer with: thrown by handlers, written by the exporter as {@code application/problem+json}.
 * {@code type} is a short slug, published as {@code https://poolwatch.dev/problems/<slug>}.
 */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;
    private final transient Map<String, Object> extensions;

    public ProblemException(int status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    public ProblemException(int status, String type, String title, String detail, Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.extensions = Map.copyOf(extensions);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }

    public Map<String, Object> extensions() {
        return extensions;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "bad-request", "Bad request", detail);
    }

    /** A request field failed validation; {@code field} is named in the body's {@code invalid-params}. */
    public static ProblemException invalidField(String field, String reason) {
        return new ProblemException(400, "invalid-params", "Invalid request field", reason,
                Map.of("invalid-params", java.util.List.of(Map.of("name", field, "reason", reason))));
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", "Not found", detail);
    }
}
