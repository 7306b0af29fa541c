package dev.poolwatch.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own errors (a malformed request line, headers or URI too large, an unknown HTTP version, a full server)
 * answered as RFC 9457 problem documents like every other error. The detail is fixed per status: what Jetty says
 * about the cause (exception text, parser state) never reaches the client.
 */
final class ProblemErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ERROR_STATUS) instanceof Integer s ? s : response.getStatus();
        if (status < 400) {
            status = 500;
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problems.CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body(status)), callback);
        return true;
    }

    static byte[] body(int status) {
        String title = HttpStatus.getMessage(status);
        return ("{\"type\":\"https://poolwatch.dev/problems/http-" + status + "\",\"title\":\"" + title
                + "\",\"status\":" + status + ",\"detail\":\"" + detail(status) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String detail(int status) {
        return switch (status) {
            case 400 -> "the request is not valid HTTP/1.1: check the request line, the headers and the URI encoding";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is larger than the limit";
            case 414 -> "the request URI is longer than the limit";
            case 429 -> "too many requests of this kind are running; retry shortly";
            case 431 -> "the request headers are larger than the limit";
            case 503 -> "the exporter is busy; retry shortly";
            case 505 -> "only HTTP/1.0 and HTTP/1.1 are supported";
            default -> status < 500 ? "the request was refused" : "the request could not be handled";
        };
    }
}
