package dev.poolwatch.server;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * Cuts connections whose request is arriving too slowly. Jetty's idle timeout only measures silence, so a client
 * that sends a header line (or a body byte) just often enough would hold its connection, and for a body a thread,
 * forever. Every few hundred milliseconds this looks at each connection's parser: headers still incomplete after
 * {@code timeout}, or a body still incomplete after twice that from the start of the request, and the connection is
 * closed. Idle keep-alive connections are left to the idle timeout.
 */
final class RequestDeadlines extends AbstractLifeCycle {

    private final Server server;
    private final long headerNanos;
    private final long bodyNanos;
    private ScheduledExecutorService sweeper;

    RequestDeadlines(Server server, Duration timeout) {
        this.server = server;
        this.headerNanos = timeout.toNanos();
        this.bodyNanos = 2 * timeout.toNanos();
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "poolwatch-http-deadlines");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(20, Math.min(500, TimeUnit.NANOSECONDS.toMillis(headerNanos) / 4));
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
    }

    private void sweep() {
        for (Connector connector : server.getConnectors()) {
            for (EndPoint endPoint : connector.getConnectedEndPoints()) {
                if (endPoint.getConnection() instanceof HttpConnection http && tooSlow(http.getParser())) {
                    endPoint.close();
                }
            }
        }
    }

    /** Read from another thread, the parser's fields can be a little stale; a sweep later they are not. */
    private boolean tooSlow(HttpParser parser) {
        long begin = parser.getBeginNanoTime();
        if (begin == 0) {
            return false;
        }
        long age = NanoTime.since(begin);
        return parser.inHeaderState() && age > headerNanos || parser.inContentState() && age > bodyNanos;
    }
}
