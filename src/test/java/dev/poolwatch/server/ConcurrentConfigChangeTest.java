package dev.poolwatch.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentConfigChangeTest {

    private static final String AUTH = "Bearer concurrent-token-0123456789";

    @TempDir
    Path dir;

    private SqlitePool pool;
    private PoolWatch watch;

    @BeforeEach
    void start() throws Exception {
        pool = SqlitePool.open(SqlitePoolConfig.builder(dir.resolve("app.db")).name("app").maxReaders(4).build());
        watch = PoolWatch.builder().pool(pool).port(0).token(AUTH.substring(7)).start();
    }

    @AfterEach
    void stop() {
        watch.close();
        pool.close();
    }

    @Test
    void simultaneousChangesOfDifferentFieldsLeaveLiveAndSavedSettingsEqual() throws Exception {
        Http http = new Http(watch.uri());
        CyclicBarrier together = new CyclicBarrier(2);
        int disagreements = 0;
        for (int i = 0; i < 150; i++) {
            int readers = 5 + i % 10;
            long idle = 100_000 + i;
            CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> put(http, together,
                    "{\"maxReaders\": " + readers + "}"));
            CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> put(http, together,
                    "{\"idleTimeoutMs\": " + idle + "}"));
            assertThat(a.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(b.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            SqlitePoolConfig live = pool.config();
            Map<String, String> saved = watch.events().loadConfig("app");
            assertThat(saved).containsEntry("maxReaders", Integer.toString(readers))
                    .containsEntry("idleTimeoutMs", Long.toString(idle));
            if (live.maxReaders() != readers || live.idleTimeout().toMillis() != idle) {
                disagreements++;
            }
        }
        assertThat(disagreements).as("pairs where a change was lost from the live settings").isZero();
    }

    private static HttpResponse<String> put(Http http, CyclicBarrier together, String body) {
        try {
            together.await(10, TimeUnit.SECONDS);
            return http.put("/api/pools/app/config", body, "Authorization", AUTH);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
