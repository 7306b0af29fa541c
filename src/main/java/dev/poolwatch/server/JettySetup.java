package dev.poolwatch.server;

import io.javalin.config.JavalinConfig;
import java.time.Duration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.QoSHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * How the exporter's Jetty is put together so that hostile or merely slow clients cannot take it down: a bounded
 * number of connections, an idle timeout that also bounds blocked reads and writes, deadlines for headers and bodies,
 * problem documents for Jetty's own errors, and a limit on how many API requests run at once, so {@code /metrics}
 * and {@code /health/*} always find a thread and a core.
 */
final class JettySetup {

    /** API requests handled at once; more wait (without a thread) up to {@link #API_MAX_WAIT}, then get 503. */
    static final int API_CONCURRENCY = 2;
    static final int API_MAX_WAITING = 64;
    static final Duration API_MAX_WAIT = Duration.ofSeconds(5);

    /** Limits of one exporter's HTTP server. */
    record Limits(String host, int port, Duration idleTimeout, Duration requestTimeout, int maxConnections) {
    }

    private JettySetup() {
    }

    static void apply(JavalinConfig config, Limits limits) {
        config.jetty.threadPool = threads();
        // Jetty caches header values per connection and, by default, matches them ignoring case: after a good
        // token, the same token in another case was read as the good one on that connection (found by fuzzing).
        config.jetty.modifyHttpConfiguration(http -> {
            http.setHeaderCacheCaseSensitive(true);
            http.setSendServerVersion(false);
        });
        config.jetty.addConnector((server, http) -> {
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(limits.host());
            connector.setPort(limits.port());
            connector.setIdleTimeout(limits.idleTimeout().toMillis());
            return connector;
        });
        config.jetty.modifyServer(server -> {
            server.setErrorHandler(new ProblemErrorHandler());
            server.addBean(new NetworkConnectionLimit(limits.maxConnections(), server));
            server.addBean(new RequestDeadlines(server, limits.requestTimeout()));
            // Javalin attaches its servlet context inside the innermost wrapper it finds here.
            server.setHandler(apiAdmission());
        });
    }

    private static QueuedThreadPool threads() {
        QueuedThreadPool pool = new QueuedThreadPool(32, 2);
        pool.setName("poolwatch-http");
        pool.setDaemon(true);
        return pool;
    }

    /** Monitoring and the export (which has its own cap) pass straight through; everything else is admitted. */
    private static QoSHandler apiAdmission() {
        QoSHandler qos = new QoSHandler();
        qos.setMaxRequestCount(API_CONCURRENCY);
        qos.setMaxSuspendedRequestCount(API_MAX_WAITING);
        qos.setMaxSuspend(API_MAX_WAIT);
        qos.excludePath("/metrics", "/health/*", "/api/export");
        return qos;
    }
}
