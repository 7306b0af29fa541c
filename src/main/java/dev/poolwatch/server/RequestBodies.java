package dev.poolwatch.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeoutException;

/** Reads request bodies with a size limit, so an oversized body costs at most the limit in memory. */
final class RequestBodies {
    /** The body once read: a before-handler (the fleet's ownership check) and the endpoint both read it. */
    private static final String READ_BODY = "poolwatch.body";

    private RequestBodies() {
    }

    static byte[] read(Context ctx, long limit) {
        byte[] cached = ctx.attribute(READ_BODY);
        if (cached != null) {
            return cached;
        }
        String length = ctx.header("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > limit) {
                    throw tooLarge(limit);
                }
            } catch (NumberFormatException e) {
                throw ProblemException.badRequest("Content-Length is not a number");
            }
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                throw tooLarge(limit);
            }
            ctx.attribute(READ_BODY, body);
            return body;
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** What went wrong, in the client's terms: the exception's own text can name server internals. */
    private static ProblemException unreadable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return new ProblemException(408, "request-timeout", "Request timeout",
                        "the request body did not arrive in time");
            }
        }
        return ProblemException.badRequest("the request body could not be read: the connection failed or the body"
                + " was shorter than its Content-Length");
    }

    /** The body as a JSON object; anything else is a 400 naming what was wrong. */
    static JsonNode readJsonObject(Context ctx, ObjectMapper json, long limit) {
        byte[] body = read(ctx, limit);
        if (body.length == 0) {
            throw ProblemException.badRequest("the request body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ProblemException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProblemException.badRequest("the request body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw ProblemException.badRequest("the request body must be a JSON object");
        }
        return node;
    }

    private static ProblemException tooLarge(long limit) {
        return new ProblemException(413, "payload-too-large", "Payload too large",
                "the request body is larger than the limit of " + limit + " bytes");
    }
}
