package dev.poolwatch.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.poolwatch.metrics.BuildInfo;
import dev.poolwatch.config.ConfigHistory;
import dev.poolwatch.config.TrialSettings;
import dev.poolwatch.metrics.MeterRegistries;
import dev.poolwatch.metrics.MetricsOptions;
import dev.poolwatch.metrics.PoolMetrics;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.store.EventStore;
import dev.poolwatch.store.PoolEventRecorder;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exporter: serves the pools' metrics, health, stats, events and live configuration over HTTP. Embed it in a
 * service with
 * <pre>{@code
 * try (PoolWatch watch = PoolWatch.builder().pool(pool).port(9464).start()) { ... }
 * }</pre>
 * It does not own the pools: closing it detaches from them and leaves them open.
 */
public final class PoolWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PoolWatch.class);

    /** Something that adds routes to the exporter (the recovery endpoint, the demo's fault injection). */
    public interface Extension extends AutoCloseable {
        void addRoutes(JavalinConfig config, Context context);

        @Override
        default void close() {
        }
    }

    /** What an extension may use of the running exporter. */
    public interface Context {
        ObjectMapper json();

        EventStore events();

        MeterRegistry registry();

        /** The monitored pool of that name, or a 404 problem. */
        SqlitePool pool(String name);

        Collection<SqlitePool> pools();

        /** Throws the 401/403 problem unless the request carries the bearer token. */
        void requireToken(io.javalin.http.Context ctx);

        /** Reads the body as a JSON object within the body limit, or throws the 400/408/413 problem. */
        com.fasterxml.jackson.databind.JsonNode jsonBody(io.javalin.http.Context ctx);

        /**
         * Runs {@code change} while no other change to the named pool's settings runs ({@code PUT .../config} takes
         * the same lock), so that reading the live settings, saving and applying them are never interleaved with
         * another change and the saved settings always match the live ones. A 404 problem for an unknown pool.
         */
        <T> T serializedConfigChange(String pool, java.util.concurrent.Callable<T> change) throws Exception;
    }

    /** A monitored pool and what the exporter attached to it. */
    record Monitored(SqlitePool pool, PoolMetrics metrics, PoolEventRecorder recorder, ReentrantLock configLock) {
    }

    private final Map<String, Monitored> pools;
    private final PrometheusMeterRegistry registry;
    private final boolean ownsRegistry;
    private final EventStore store;
    private final BearerAuth auth;
    private final ObjectMapper json;
    private final List<Extension> extensions;
    private final Javalin app;
    private final String bind;
    private final ConfigHistory history;

    private PoolWatch(Builder b, EventStore store) {
        this.registry = b.registry != null ? b.registry : MeterRegistries.prometheusWithJvm();
        this.ownsRegistry = b.registry == null;
        this.store = store;
        this.json = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.extensions = List.copyOf(b.extensions);
        this.bind = b.bind;
        Map<String, Counter> rejections = new ConcurrentHashMap<>();
        this.auth = new BearerAuth(b.token, reason -> rejections.computeIfAbsent(reason, r -> Counter
                .builder("poolwatch.auth.rejections").description("Requests to write endpoints refused, by reason")
                .tag("reason", r).register(registry)).increment());
        FunctionCounter.builder("poolwatch.events.dropped", store, EventStore::dropped)
                .description("Events the store could not keep: queue full, store closed or write failed")
                .register(registry);
        FunctionCounter.builder("poolwatch.events.written", store, EventStore::written)
                .description("Events written to the event store").register(registry);
        new BuildInfo().bindTo(registry);
        Map<String, Monitored> attached = new LinkedHashMap<>();
        for (SqlitePool pool : b.pools) {
            PoolMetrics metrics = new PoolMetrics(pool, b.metricsOptions);
            metrics.bindTo(registry);
            PoolEventRecorder recorder = new PoolEventRecorder(pool.name(), store);
            pool.addListener(recorder);
            attached.put(pool.name(), new Monitored(pool, metrics, recorder, new ReentrantLock()));
        }
        this.pools = attached;
        this.history = new ConfigHistory(b.pools, store, PoolConfigUpdate.LIVE, b.trials);
        ExporterRoutes routes = new ExporterRoutes(this.pools, registry, store, auth, json, b.maxBodyBytes,
                b.readinessTimeout, history);
        Context context = routes.context();
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = b.bind;
            config.jetty.port = b.port;
            config.http.prefer405over404 = true;
            config.http.maxRequestSize = b.maxBodyBytes;
            JettySetup.apply(config, new JettySetup.Limits(b.bind, b.port, b.idleTimeout, b.requestTimeout,
                    b.maxConnections));
            routes.addTo(config);
            for (Extension e : extensions) {
                e.addRoutes(config, context);
            }
        });
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return app.port();
    }

    /** The base URL, such as {@code http://127.0.0.1:9464}. */
    public URI uri() {
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        return URI.create("http://" + ("0.0.0.0".equals(bind) ? "127.0.0.1" : host) + ":" + port());
    }

    public EventStore events() {
        return store;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public boolean writesEnabled() {
        return auth.enabled();
    }

    /** Stops serving, detaches from the pools (which stay open) and closes the event store. Idempotent. */
    @Override
    public synchronized void close() {
        if (!app.jettyServer().started()) {
            return;
        }
        app.stop();
        history.close();
        for (Extension e : extensions) {
            e.close();
        }
        for (Monitored m : pools.values()) {
            m.pool().removeListener(m.recorder());
            m.metrics().close();
        }
        store.close();
        if (ownsRegistry) {
            registry.close();
        }
        log.info("exporter stopped");
    }

    /** Settings of the exporter, checked at {@link #start()}. */
    public static final class Builder {
        private final List<SqlitePool> pools = new ArrayList<>();
        private final List<Extension> extensions = new ArrayList<>();
        private int port = 9464;
        private String bind = "127.0.0.1";
        private String token;
        private long maxBodyBytes = 1024 * 1024;
        private Path eventStoreFile;
        private EventStore.Settings eventSettings = EventStore.Settings.DEFAULT;
        private PrometheusMeterRegistry registry;
        private Duration readinessTimeout = Duration.ofMillis(250);
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private int maxConnections = 512;
        private MetricsOptions metricsOptions = MetricsOptions.DEFAULT;
        private TrialSettings trials = TrialSettings.DEFAULT;

        private Builder() {
        }

        /** A pool to monitor; names must be unique. */
        public Builder pool(SqlitePool pool) {
            pools.add(Objects.requireNonNull(pool, "pool"));
            return this;
        }

        /** TCP port (0 to 65535, 0 picks a free one; default 9464). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Address to listen on (default 127.0.0.1: loopback only). */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** Bearer token for write endpoints; without one they answer 403. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Largest request body accepted (1 KiB to 64 MiB, default 1 MiB); larger ones get 413. */
        public Builder maxBodyBytes(long bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The event store's file (default: {@value EventStore#DEFAULT_FILE_NAME} beside the first pool's file). */
        public Builder eventStore(Path file) {
            this.eventStoreFile = file;
            return this;
        }

        public Builder eventSettings(EventStore.Settings settings) {
            this.eventSettings = Objects.requireNonNull(settings, "eventSettings");
            return this;
        }

        /** Publish into this registry instead of a new one with JVM meters; the caller then owns it. */
        public Builder registry(PrometheusMeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** How long the readiness probe waits for each pool's writer (1 ms to 10 s, default 250 ms). */
        public Builder readinessTimeout(Duration timeout) {
            this.readinessTimeout = timeout;
            return this;
        }

        /**
         * How long a connection may stay silent, which is also how long a blocked read or write of a request waits
         * for the client (100 ms to 10 min, default 30 s).
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * How long a client may take to send a request's headers; its body must have arrived by twice this from the
         * start of the request (100 ms to 10 min, default 10 s). Slower connections are closed.
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /** Open connections accepted at once; more wait in the listen backlog (1 to 100000, default 512). */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** What the pools' metrics include (compact histograms, HikariCP or OpenTelemetry names); see docs/metrics.md. */
        public Builder metrics(MetricsOptions options) {
            this.metricsOptions = Objects.requireNonNull(options, "metrics");
            return this;
        }

        /** Bounds of config trials ({@code PUT …/config?trial=}); tests shorten them, users keep the default. */
        public Builder configTrials(TrialSettings trials) {
            this.trials = Objects.requireNonNull(trials, "trials");
            return this;
        }

        public Builder extension(Extension extension) {
            extensions.add(Objects.requireNonNull(extension, "extension"));
            return this;
        }

        /** Checks the settings, opens the event store, re-applies saved live settings and starts serving. */
        public PoolWatch start() throws SQLException {
            if (pools.isEmpty()) {
                throw new IllegalArgumentException("pools must name at least one pool, was none");
            }
            if (pools.stream().map(SqlitePool::name).distinct().count() != pools.size()) {
                throw new IllegalArgumentException("pools must have unique names, were "
                        + pools.stream().map(SqlitePool::name).toList());
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            if (bind == null || bind.isBlank()) {
                throw new IllegalArgumentException("bind must be an address such as 127.0.0.1, was empty");
            }
            if (maxBodyBytes < 1024 || maxBodyBytes > 64L * 1024 * 1024) {
                throw new IllegalArgumentException("maxBodyBytes must be between 1024 and 67108864, was " + maxBodyBytes);
            }
            if (token != null && token.isBlank()) {
                throw new IllegalArgumentException("token must not be blank; leave it unset to disable writes");
            }
            if (readinessTimeout == null || readinessTimeout.toMillis() < 1 || readinessTimeout.toSeconds() > 10) {
                throw new IllegalArgumentException("readinessTimeout must be between 1 ms and 10 s, was "
                        + readinessTimeout);
            }
            checkTimeout("idleTimeout", idleTimeout);
            checkTimeout("requestTimeout", requestTimeout);
            if (maxConnections < 1 || maxConnections > 100_000) {
                throw new IllegalArgumentException("maxConnections must be between 1 and 100000, was " + maxConnections);
            }
            Path file = eventStoreFile != null ? eventStoreFile
                    : pools.get(0).config().path().resolveSibling(EventStore.DEFAULT_FILE_NAME);
            EventStore store = EventStore.open(file, eventSettings);
            PoolWatch watch = null;
            try {
                for (SqlitePool pool : pools) {
                    PoolConfigUpdate.reapplySaved(pool, store);
                }
                watch = new PoolWatch(this, store);
                watch.history.start();
                watch.app.start();
            } catch (RuntimeException | SQLException e) {
                if (watch != null) {
                    watch.history.close();
                }
                store.close();
                throw e;
            }
            log.info("exporter listening on {} (metrics at {}/metrics); pools: {}", watch.uri(), watch.uri(),
                    pools.stream().map(SqlitePool::name).toList());
            if (!watch.auth.enabled()) {
                log.warn("write endpoints are disabled because no token is configured; start with --token-file FILE"
                        + " or set POOLWATCH_TOKEN to enable them");
            }
            return watch;
        }

        private static void checkTimeout(String name, Duration d) {
            if (d == null || d.toMillis() < 100 || d.toMinutes() > 10) {
                throw new IllegalArgumentException(name + " must be between 100 ms and 10 min, was " + d);
            }
        }
    }
}
