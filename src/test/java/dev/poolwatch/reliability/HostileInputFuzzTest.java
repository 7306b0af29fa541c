package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and mutated Alertmanager payloads and config bodies against a live exporter: never a 5xx, never an action
 * without the token, never a state change from a rejected request. A fixed seed keeps this run repeatable;
 * {@code scripts/fuzz} runs many more tries with fresh seeds.
 */
class HostileInputFuzzTest {

    static final String TOKEN = "fuzz-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static final AtomicLong INPUTS = new AtomicLong();

    private static Path dir;
    private static SqlitePool pool;
    private static PoolWatch watch;

    @BeforeContainer
    public static void start() throws Exception {
        dir = Files.createTempDirectory("poolwatch-fuzz-");
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("fuzz.db")).name("fuzz").maxReaders(4).build());
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN).maxBodyBytes(64 * 1024)
                .extension(new RecoveryRoutes(RecoverySettings.DEFAULT.withDryRun(true))).start();
    }

    @AfterContainer
    static void stopAndRecord() throws Exception {
        stop();
        Figures.record("Hostile input (fuzzing)", "jqwik, random JSON, mutated webhook payloads and config bodies,"
                + " with valid, wrong and missing tokens", INPUTS.get(), "no 5xx, no unauthenticated action, no"
                + " change from a rejected request");
    }

    public static void stop() throws Exception {
        watch.close();
        pool.close();
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(watch.uri() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (auth != null) {
            b.header("Authorization", auth);
        }
        INPUTS.incrementAndGet();
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // Jetty may close a keep-alive connection after refusing a malformed request line; the shared client can
            // then find it dead. The server must still be up, and the same request on a new connection must answer.
            HttpClient fresh = HttpClient.newHttpClient();
            assertThat(fresh.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            return fresh.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Every decision the recovery endpoint took (taken synchronously, unlike the results of executed actions). */
    private static double decisions() {
        return watch.registry().find("poolwatch.recovery.actions").counters().stream()
                .filter(c -> !List.of("succeeded", "failed").contains(c.getId().getTag("outcome")))
                .mapToDouble(Counter::count).sum();
    }

    @Provide
    Arbitrary<String> auth() {
        return Arbitraries.oneOf(
                Arbitraries.just("Bearer " + TOKEN),
                Arbitraries.just(null),
                Arbitraries.just("Bearer " + TOKEN.substring(1)),
                Arbitraries.just("Bearer " + TOKEN + "x"),
                Arbitraries.just("bearer " + TOKEN.toUpperCase()),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(60).map(s -> "Bearer " + s),
                Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(60));
    }

    @Provide
    Arbitrary<String> payloads() {
        return Arbitraries.oneOf(Fuzz.json(4), Fuzz.mutated(Fuzz.validWebhook()), Fuzz.webhooks(),
                Arbitraries.strings().ofMaxLength(300));
    }

    @Provide
    Arbitrary<String> configBodies() {
        Arbitrary<String> fields = Arbitraries.of("maxReaders", "acquireTimeoutMs", "leakDetectionThresholdMs",
                "idleTimeoutMs", "busyTimeoutMs", "pool", "");
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.longs().map(Object::toString),
                Arbitraries.of("0", "-1", "1.5", "1e9", "\"5\"", "null", "true", "[]", "{}", "99999999999999999999"));
        Arbitrary<String> objects = Combinators.combine(fields, values, fields, values)
                .as((f1, v1, f2, v2) -> "{\"" + f1 + "\": " + v1 + ", \"" + f2 + "\": " + v2 + "}");
        return Arbitraries.oneOf(objects, Fuzz.json(3), Fuzz.mutated("{\"maxReaders\": 6, \"idleTimeoutMs\": 60000}"));
    }

    @Property(tries = 250, seed = "20261125")
    void webhookNeverFailsAndNeverActsWithoutTheToken(@ForAll("payloads") String body, @ForAll("auth") String auth)
            throws Exception {
        double before = decisions();
        HttpResponse<String> r = send("POST", "/alertmanager/webhook", body, auth);
        assertThat(r.statusCode()).as("status for %s", body).isLessThan(500);
        if (!("Bearer " + TOKEN).equals(auth)) {
            assertThat(r.statusCode()).isIn(401, 403);
        }
        if (r.statusCode() >= 400) {
            assertThat(decisions()).as("a rejected delivery decides nothing").isEqualTo(before);
        }
    }

    @Property(tries = 250, seed = "20261125")
    void configApiRejectionsChangeNothing(@ForAll("configBodies") String body, @ForAll("auth") String auth)
            throws Exception {
        SqlitePoolConfig before = pool.config();
        HttpResponse<String> r = send("PUT", "/api/pools/fuzz/config", body, auth);
        assertThat(r.statusCode()).as("status for %s", body).isLessThan(500);
        if (r.statusCode() != 200) {
            assertThat(pool.config()).as("a rejected change leaves the pool as it was").isSameAs(before);
        } else {
            assertThat(auth).isEqualTo("Bearer " + TOKEN);
        }
    }

    @Property(tries = 60, seed = "20261125")
    void manualTriggerAndFaultPathsNeverFail(@ForAll("paths") String path, @ForAll("auth") String auth)
            throws Exception {
        HttpResponse<String> r = send("POST", path, "", auth);
        assertThat(r.statusCode()).as("status for %s", path).isLessThan(500);
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("fuzz", "restart_pool", "checkpoint", "..", "%00",
                "optimize?force=yes", "evict_idle?force=true"), Arbitraries.strings().alpha().numeric().ofMaxLength(12));
        return Combinators.combine(segment, segment).as((a, b) -> "/api/pools/" + a + "/actions/" + b);
    }
}
