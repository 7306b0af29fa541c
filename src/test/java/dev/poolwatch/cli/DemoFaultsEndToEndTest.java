package dev.poolwatch.cli;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.FaultInjector;
import dev.poolwatch.load.FaultInjector.Fault;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.EventQuery;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The newcomer's path as README.md and docs/recovery.md promise it, with the real binaries and the SHIPPED rules,
 * routing and scrape interval: every demo fault pressed at its default duration and size on its own demo pool (all
 * served by one exporter, scraped by one Prometheus, routed by one Alertmanager, so they run at once), and a fifth
 * pool left alone. It asserts, per fault, the alert firing while the fault is on, the action's outcome with a
 * non-zero effect, the alert resolving soon after, and no alert at all on the healthy pool; and it writes the
 * measured timeline to target/demo-faults-timeline.txt (the figures of docs/recovery.md). About five minutes; tagged
 * so that a quick local run can leave it out: {@code mvn verify -Dpoolwatch.e2e.exclude=newcomer-e2e}.
 */
@Tag("newcomer-e2e")
@Timeout(600)
class DemoFaultsEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration HEALTHY_FIRST = Duration.ofSeconds(30);
    /** How soon after its fault ends an alert must have resolved. */
    private static final Duration RESOLVE_WITHIN = Duration.ofSeconds(90);
    private static final Map<Fault, String> ALERT = Map.of(Fault.LEAK, "SqlitePoolConnectionLeak",
            Fault.LOCK, "SqlitePoolLockContention", Fault.SLOW, "SqlitePoolAcquireLatencyHigh",
            Fault.WAL_BLOAT, "SqlitePoolWalTooLarge");
    private static final String CALM = "calm";

    @TempDir
    Path dir;

    private final List<SqlitePool> pools = new ArrayList<>();
    private final List<SteadyLoad> loads = new ArrayList<>();
    private final List<FaultInjector> injectors = new ArrayList<>();
    private PoolWatch watch;
    private LocalStack stack;

    /** One alert of one pool as the poller saw it, in seconds since the faults began. */
    private static final class Seen {
        Double pending;
        Double firing;
        Double resolved;
    }

    private final Map<String, Seen> seen = new ConcurrentHashMap<>();
    private final Map<Fault, Double> ended = new ConcurrentHashMap<>();

    private static String pool(Fault f) {
        return f.tag().replace('_', '-');
    }

    @AfterEach
    void stop() {
        injectors.forEach(FaultInjector::close);
        if (stack != null) {
            stack.close();
        }
        loads.forEach(SteadyLoad::close);
        if (watch != null) {
            watch.close();
        }
        pools.forEach(SqlitePool::close);
    }

    private JsonNode alerts() throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(stack.prometheus() + "/api/v1/query?query="
                + URLEncoder.encode("ALERTS", StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString())
                .body()).path("data").path("result");
    }

    /** Records every alert's first pending, first firing and resolution; returns the alerts present now. */
    private List<String> poll(double t) throws Exception {
        List<String> present = new ArrayList<>();
        for (JsonNode a : alerts()) {
            String key = a.at("/metric/pool").asText("-") + " " + a.at("/metric/alertname").asText();
            present.add(key);
            Seen s = seen.computeIfAbsent(key, k -> new Seen());
            if ("firing".equals(a.at("/metric/alertstate").asText())) {
                s.firing = s.firing == null ? t : s.firing;
                s.resolved = null;
            } else if (s.pending == null) {
                s.pending = t;
            }
        }
        seen.forEach((key, s) -> {
            if (s.firing != null && s.resolved == null && !present.contains(key)) {
                s.resolved = t;
            }
        });
        return present;
    }

    private List<Event> recovery(String pool) throws Exception {
        watch.events().flush(Duration.ofSeconds(5));
        return watch.events().events(new EventQuery(null, pool, "recovery", null, 1000)).stream()
                .sorted(Comparator.comparingLong(Event::id)).toList();
    }

    private static long number(Event e, String field) {
        Object result = e.details().get("result");
        return result instanceof Map<?, ?> m && m.get(field) instanceof Number n ? n.longValue() : -1;
    }

    @Test
    void everyDemoFaultShowsItsAlertItsActionAndItsHealWhileAHealthyPoolStaysQuiet() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "e2e-token");
        PoolWatch.Builder exporter = PoolWatch.builder().port(0).token("e2e-token")
                .eventStore(dir.resolve("events.db")).extension(new RecoveryRoutes(RecoverySettings.DEFAULT));
        Map<Fault, SqlitePool> byFault = new EnumMap<>(Fault.class);
        List<String> names = new ArrayList<>();
        for (Fault f : Fault.values()) {
            names.add(pool(f));
        }
        names.add(CALM);
        for (String name : names) {
            SqlitePool p = SqlitePool.open(DemoRuntime.poolConfig(dir, name).build());
            pools.add(p);
            exporter.pool(p);
            BotWorkload workload = new BotWorkload(p, 1000);
            workload.prepare();
            loads.add(new SteadyLoad(workload, 2, 40, 70, workload.maxOpId()).start());
        }
        for (Fault f : Fault.values()) {
            byFault.put(f, pools.get(f.ordinal()));
        }
        watch = exporter.start();
        stack = LocalStack.builder(Path.of("").toAbsolutePath(), watch.uri(), token)
                .resendDelay(Duration.ofSeconds(1)).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> JSON.readTree(HTTP.send(HttpRequest.newBuilder(
                URI.create(stack.prometheus() + "/api/v1/query?query=up")).build(), HttpResponse.BodyHandlers
                .ofString()).body()).at("/data/result/0/value/1").asText().equals("1"));

        SoftAssertions softly = new SoftAssertions();
        long healthyEnd = System.nanoTime() + HEALTHY_FIRST.toNanos();
        List<String> duringHealthy = new ArrayList<>();
        while (System.nanoTime() < healthyEnd) {
            poll(-1).stream().filter(a -> !a.endsWith(" SqlitePoolWatchdog")).filter(a -> !duringHealthy.contains(a))
                    .forEach(duringHealthy::add);
            Thread.sleep(1000);
        }
        softly.assertThat(duringHealthy).as("alerts while every pool is healthy").isEmpty();
        seen.clear();

        long t0 = System.nanoTime();
        Instant start = Instant.now();
        for (Fault f : Fault.values()) {
            FaultInjector injector = new FaultInjector(byFault.get(f),
                    (fault, cause, ran) -> ended.put(fault, (System.nanoTime() - t0) / 1e9));
            injectors.add(injector);
            injector.start(f, Fault.DEFAULT_DURATION);
        }
        double faultEnd = Fault.DEFAULT_DURATION.toSeconds();
        double deadline = faultEnd + RESOLVE_WITHIN.toSeconds();
        for (double t = 0; t < deadline; t = (System.nanoTime() - t0) / 1e9) {
            poll(t);
            boolean allResolved = ended.size() == Fault.values().length && ALERT.entrySet().stream().allMatch(e -> {
                Seen s = seen.get(pool(e.getKey()) + " " + e.getValue());
                return s != null && s.resolved != null;
            });
            if (allResolved) {
                break;
            }
            Thread.sleep(1000);
        }

        StringBuilder timeline = new StringBuilder("seconds after the faults began (default duration "
                + Fault.DEFAULT_DURATION.toSeconds() + " s), shipped rules and routing, scrape every 5 s\n");
        new java.util.TreeMap<>(seen).forEach((key, s) -> timeline.append(String.format(Locale.ROOT,
                "alert  %-45s pending %6s  firing %6s  resolved %6s%n", key, fmt(s.pending), fmt(s.firing),
                fmt(s.resolved))));
        ended.forEach((f, t) -> timeline.append(String.format(Locale.ROOT, "fault  %-45s ended %.0f%n", pool(f), t)));
        for (String name : names) {
            for (Event e : recovery(name)) {
                timeline.append(String.format(Locale.ROOT, "action %-45s %6.0f  %s %s %s%n", name + " "
                        + e.details().get("action"), (e.time().toEpochMilli() - start.toEpochMilli()) / 1000.0,
                        e.details().get("outcome"), e.details().get("alertname"),
                        e.details().getOrDefault("result", "")));
            }
        }
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/demo-faults-timeline.txt"), timeline);
        System.out.println(timeline);

        for (Fault f : Fault.values()) {
            Seen s = seen.get(pool(f) + " " + ALERT.get(f));
            softly.assertThat(s != null && s.firing != null && s.firing < faultEnd)
                    .as("%s: %s fires while the fault is on (before %.0f s): %s", f.tag(), ALERT.get(f), faultEnd,
                            timeline).isTrue();
            softly.assertThat(s != null && s.resolved != null && s.resolved <= deadline)
                    .as("%s: %s resolves within %d s of the fault's end", f.tag(), ALERT.get(f),
                            RESOLVE_WITHIN.toSeconds()).isTrue();
        }
        softly.assertThat(seen.get(pool(Fault.SLOW) + " SqlitePoolConnectionLeak")).as("slow raises no leak alert")
                .isNull();
        softly.assertThat(seen.keySet()).as("the healthy pool stays quiet").noneMatch(k -> k.startsWith(CALM + " "));
        assertHealed(softly, pool(Fault.LEAK), "reclaim_leaks", e -> number(e, "reclaimed") > 0, start, faultEnd);
        assertHealed(softly, pool(Fault.WAL_BLOAT), "checkpoint", e -> number(e, "walBytesBefore")
                > 256L * 1024 * 1024 && number(e, "walBytesAfter") < 64L * 1024 * 1024, start, faultEnd);
        assertHealed(softly, pool(Fault.SLOW), "resize_up", e -> number(e, "maxReadersAfter")
                > number(e, "maxReadersBefore"), start, faultEnd);
        softly.assertThat(recovery(pool(Fault.LOCK))).as("lock contention is diagnosed, never 'fixed'")
                .noneMatch(e -> "executed".equals(e.details().get("outcome")));
        softly.assertThat(byFault.get(Fault.LOCK).stats().restarts()).isZero();
        softly.assertAll();
    }

    private void assertHealed(SoftAssertions softly, String pool, String action,
                              java.util.function.Predicate<Event> effect, Instant start, double faultEnd)
            throws Exception {
        List<Event> events = recovery(pool);
        Map<String, Object> outcomes = new LinkedHashMap<>();
        events.forEach(e -> outcomes.put(e.id() + " " + e.details().get("action"), e.details().get("outcome")));
        softly.assertThat(events).as("%s: %s succeeds with an effect while the fault is on; audit %s", pool, action,
                outcomes).anyMatch(e -> action.equals(e.details().get("action"))
                && "succeeded".equals(e.details().get("outcome")) && effect.test(e)
                && e.time().toEpochMilli() - start.toEpochMilli() < faultEnd * 1000);
    }

    private static String fmt(Double t) {
        return t == null ? "-" : String.format(Locale.ROOT, "%.0f", t);
    }
}
