package dev.poolwatch.server;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Guards every endpoint that changes something with a bearer token. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about how much of a guess was right, nor its length.
 * With no token configured, write endpoints are refused outright. The token is never logged or echoed.
 */
final class BearerAuth {

    private final byte[] expectedDigest;
    private final Consumer<String> rejected;

    /** @param token the shared secret, or null to disable write endpoints; @param rejected told each rejection's reason */
    BearerAuth(String token, Consumer<String> rejected) {
        this.expectedDigest = token == null ? null : sha256(token);
        this.rejected = rejected;
    }

    boolean enabled() {
        return expectedDigest != null;
    }

    /** Returns normally when the request carries the token; throws the problem to answer otherwise. */
    void check(Context ctx) {
        if (expectedDigest == null) {
            rejected.accept("disabled");
            throw new ProblemException(403, "writes-disabled", "Write endpoints are disabled",
                    "no token is configured: start poolwatch with --token-file FILE or the POOLWATCH_TOKEN environment"
                            + " variable to enable this endpoint");
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw unauthorized(ctx, "missing", "this endpoint needs an 'Authorization: Bearer <token>' header");
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            throw unauthorized(ctx, "malformed", "the Authorization header must be 'Bearer <token>'");
        }
        if (!MessageDigest.isEqual(expectedDigest, sha256(header.substring(7).strip()))) {
            throw unauthorized(ctx, "wrong", "the bearer token is not valid");
        }
    }

    private ProblemException unauthorized(Context ctx, String reason, String detail) {
        rejected.accept(reason);
        ctx.header("WWW-Authenticate", "Bearer realm=\"poolwatch\"");
        return new ProblemException(401, "unauthorized", "Unauthorized", detail, Map.of());
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
