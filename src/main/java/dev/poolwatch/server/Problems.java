package dev.poolwatch.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes RFC 9457 problem documents. */
final class Problems {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://poolwatch.dev/problems/";

    private Problems() {
    }

    static void write(Context ctx, ObjectMapper json, ProblemException p) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.getMessage());
        body.put("instance", ctx.path());
        body.putAll(p.extensions());
        String text;
        try {
            text = json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            text = "{\"title\":\"" + p.title() + "\",\"status\":" + p.status() + "}";
        }
        ctx.status(p.status()).contentType(CONTENT_TYPE).result(text);
    }
}
