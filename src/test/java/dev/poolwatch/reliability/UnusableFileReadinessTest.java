package dev.poolwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.poolwatch.pool.ErrorKind;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.server.PoolWatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Readiness on a really full file system and a really read-only database file. */
@Timeout(60)
class UnusableFileReadinessTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static HttpResponse<String> ready(PoolWatch watch) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(watch.uri() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        return JSON.readTree(r.body());
    }

    @Test
    void fullFileSystemFailsReadinessWithTheReason() throws Exception {
        Path mount = Files.createDirectory(dir.resolve("small"));
        try (Tmpfs fs = Tmpfs.mount(mount, 2048)) {
            Files.write(mount.resolve("ballast"), new byte[700 * 1024]);
            try (SqlitePool pool = FileSystemFaultsTest.open(mount.resolve("full.db"));
                 PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
                assertThat(ready(watch).statusCode()).isEqualTo(200);
                SQLException failure = null;
                for (long id = 1; id < 10_000 && failure == null; id++) {
                    try {
                        FileSystemFaultsTest.insert(pool, id, 16 * 1024);
                    } catch (SQLException e) {
                        failure = e;
                    }
                }
                assertThat(ErrorKind.classify(failure)).isEqualTo(ErrorKind.FULL);
                assertThat(Files.isWritable(mount.resolve("full.db"))).as("the file itself looks fine").isTrue();
                JsonNode body = problem(ready(watch));
                assertThat(body.path("detail").asText()).contains("full error", "is full");
                assertThat(body.at("/pools/fs/reasons/0").asText()).contains("full");
            }
        }
    }

    @Test
    void readOnlyDatabaseFileFailsReadinessWithTheReason() throws Exception {
        Path db = dir.resolve("ro.db");
        try (SqlitePool pool = FileSystemFaultsTest.open(db);
             PoolWatch watch = PoolWatch.builder().pool(pool).port(0).eventStore(dir.resolve("events.db")).start()) {
            FileSystemFaultsTest.insert(pool, 1, 100);
            assertThat(ready(watch).statusCode()).isEqualTo(200);
            // Immutable even for root, who may write any file whatever its mode says.
            assumeTrue(chattr("+i", db), "chattr +i is not supported on " + db);
            try {
                JsonNode body = problem(ready(watch));
                assertThat(body.path("detail").asText()).contains("pool 'fs'", "not writable");
                assertThat(body.at("/pools/fs/databaseWritable").asBoolean()).isFalse();
            } finally {
                chattr("-i", db);
            }
            assertThat(ready(watch).statusCode()).isEqualTo(200);
        }
    }

    private static boolean chattr(String flag, Path file) throws Exception {
        Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
