package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.load.DemoFaultRoutes;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.store.Event;
import dev.poolwatch.store.Severity;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests an attacker would send: each gets a clear problem document, changes nothing and logs nothing. */
class HostileRequestTest {

    private static final String TOKEN = "hostile-token-0123456789";
    private static final String AUTH = "Bearer " + TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;
    private Http http;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4).build());
        watch = PoolWatch.builder().pool(pool).port(0).token(TOKEN).idleTimeout(Duration.ofSeconds(2))
                .extension(new DemoFaultRoutes(pool)).start();
        http = new Http(watch.uri());
    }

    @AfterEach
    void stop() {
        watch.close();
        pool.close();
    }

    private static void assertProblem(RawHttp.Response r, int status, String what) throws Exception {
        assertThat(r.status()).as(what).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(what).startsWith("application/problem+json");
        JsonNode p = JSON.readTree(r.body());
        assertThat(p.get("status").asInt()).as(what).isEqualTo(status);
        assertThat(p.get("title").asText()).as(what).isNotBlank();
    }

    private RawHttp.Response raw(String request) throws Exception {
        try (RawHttp c = RawHttp.connect(watch.uri())) {
            return c.send(request).read(Duration.ofSeconds(5));
        }
    }

    @Test
    void outOfRangeQueryValuesAre400NamingTheFieldAndLogNothing() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            for (String query : List.of("/api/events?since=%2B300000000-01-01T00:00:00Z",
                    "/api/events?since=-300000000-01-01T00:00:00Z", "/api/events?since=99999999999999999999",
                    "/api/export?since=%2B300000000-01-01T00:00:00Z", "/api/export?format=csv&since=%2B10000-01-01T00:00:00Z",
                    "/api/events?limit=99999999999999999999", "/api/events?before=-5")) {
                HttpResponse<String> r = http.get(query);
                assertThat(r.statusCode()).as(query).isEqualTo(400);
                assertThat(r.headers().firstValue("Content-Type")).as(query).hasValue("application/problem+json");
                String field = query.substring(query.lastIndexOf('&') > 0 ? query.lastIndexOf('&') + 1
                        : query.indexOf('?') + 1, query.lastIndexOf('='));
                assertThat(JSON.readTree(r.body()).at("/invalid-params/0/name").asText()).as(query).isEqualTo(field);
                assertThat(r.body()).as(query).doesNotContain("events\":[");
            }
            assertThat(logs.productionLines()).isEmpty();
        }
    }

    @Test
    void exportThatFailsHalfWayEndsWithoutItsTerminator() throws Exception {
        for (int i = 0; i < 10_000; i++) {
            watch.events().record(Event.of("app", "test", Severity.INFO, "event " + i + " " + "x".repeat(200),
                    Map.of("i", i)));
        }
        assertThat(watch.events().flush(Duration.ofSeconds(30))).isTrue();
        try (RawHttp c = RawHttp.connect(watch.uri(), 4096)) {
            c.send("GET /api/export HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.status(Duration.ofSeconds(10))).isEqualTo(200);
            // The store going away under a running export is the failure: the answer is already 200 and streaming.
            watch.events().close();
            RawHttp.Response r = c.body(Duration.ofSeconds(10));
            assertThat(r.complete()).as("a cut export must not look complete").isFalse();
            assertThat(r.body()).doesNotContain("problem").doesNotContain("internal-error");
        }
    }

    @Test
    void methodOverrideHeaderIsRefusedAndChangesNothing() throws Exception {
        SqlitePoolConfig before = pool.config();
        for (String method : List.of("GET", "POST")) {
            HttpResponse<String> r = http.send(method, "/api/pools/app/config", "{\"maxReaders\": 7}",
                    "Authorization", AUTH, "X-HTTP-Method-Override", "PUT");
            assertThat(r.statusCode()).as(method).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.body()).contains("X-HTTP-Method-Override");
        }
        assertThat(pool.config()).isSameAs(before);
        assertThat(watch.events().loadConfig("app")).isEmpty();
    }

    @Test
    void trailingGarbageAfterTheJsonValueIsRejected() throws Exception {
        SqlitePoolConfig before = pool.config();
        for (String body : List.of("{\"maxReaders\": 7} garbage", "{\"maxReaders\": 7}{\"maxReaders\": 8}",
                "{\"maxReaders\": 7} ]")) {
            HttpResponse<String> r = http.put("/api/pools/app/config", body, "Authorization", AUTH);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.body()).as(body).contains("not valid JSON");
        }
        assertThat(pool.config()).isSameAs(before);
    }

    @Test
    void chunkedBodiesAreReadByTheConfigAndFaultEndpoints() throws Exception {
        String chunked = "Transfer-Encoding: chunked\r\nContent-Type: application/json\r\nAuthorization: " + AUTH
                + "\r\nConnection: close\r\n\r\n";
        RawHttp.Response tooLong = raw("POST /api/demo/faults/slow HTTP/1.1\r\nHost: x\r\n" + chunked
                + chunks("{\"seco", "nds\": 601}"));
        assertProblem(tooLong, 400, "chunked fault body with seconds out of range");
        assertThat(tooLong.body()).contains("seconds");
        assertThat(JSON.readTree(http.get("/api/demo/faults").body()).get("active")).isEmpty();

        RawHttp.Response config = raw("PUT /api/pools/app/config HTTP/1.1\r\nHost: x\r\n" + chunked
                + chunks("{\"max", "Readers\": 6}"));
        assertThat(config.status()).as(config.body()).isEqualTo(200);
        assertThat(pool.config().maxReaders()).isEqualTo(6);
    }

    private static String chunks(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            b.append(Integer.toHexString(p.length())).append("\r\n").append(p).append("\r\n");
        }
        return b.append("0\r\n\r\n").toString();
    }

    @Test
    void problemDetailNeverShowsInternalExceptionText() throws Exception {
        try (RawHttp c = RawHttp.connect(watch.uri())) {
            c.send("PUT /api/pools/app/config HTTP/1.1\r\nHost: x\r\nAuthorization: " + AUTH
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"maxReaders\"");
            // The body never completes: the idle timeout (2 s here, 30 s by default) ends the read.
            RawHttp.Response r = c.read(Duration.ofSeconds(40));
            assertProblem(r, 408, "body that stopped arriving");
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("java.");
        }
        assertThat(pool.config().maxReaders()).isEqualTo(4);
    }

    @Test
    void jettysOwnErrorsAreProblemDocuments() throws Exception {
        assertProblem(raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n"), 431,
                "oversized headers");
        assertProblem(raw("GARBAGE\r\n\r\n"), 400, "bad request line");
        assertProblem(raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "long URI");
        assertProblem(raw("GET / HTTP/3.0\r\nHost: x\r\n\r\n"), 505, "unknown HTTP version");
        assertProblem(raw("GET /api/%zz HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "bad percent-encoding");
        assertProblem(raw("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "ambiguous path");
    }

    @Test
    void nothingAnUnauthenticatedClientSendsWritesALogLine() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            for (int i = 0; i < 5; i++) {
                RawHttp.Response connect = raw("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
                assertThat(connect.status()).isBetween(400, 499);
                raw("GARBAGE\r\n\r\n");
                raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
                raw("GET /api/events?since=%2B300000000-01-01T00:00:00Z HTTP/1.1\r\nHost: x\r\n\r\n");
                raw("PUT /api/pools/app/config HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
                try (RawHttp c = RawHttp.connect(watch.uri())) {
                    c.send("GET /api/export HTTP/1.1\r\nHost: x\r\n\r\n");
                }
            }
            Thread.sleep(500);
            assertThat(logs.productionLines()).isEmpty();
        }
    }
}
