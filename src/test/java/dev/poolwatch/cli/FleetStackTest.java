package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code poolwatch stack --instances 3}: the fleet without Docker, up, wired to the relay, and gone afterwards. */
@Timeout(120)
class FleetStackTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    @Test
    void threeInstancesOnePrometheusTwoClusteredAlertmanagersPostingToTheRelay() throws Exception {
        Set<Path> tempBefore = stackTempDirs();
        int prometheus = LocalStack.freePort();
        int alertmanager = LocalStack.freePort();
        Path data = dir.resolve("fleet-data");
        CompletableFuture<CliRun> run = CompletableFuture.supplyAsync(() -> CliRun.of("stack", "--instances", "3",
                "--repo", Path.of("").toAbsolutePath().toString(), "--data-dir", data.toString(), "--port", "0",
                "--prometheus-port", Integer.toString(prometheus), "--alertmanager-port",
                Integer.toString(alertmanager), "--duration", "20s", "--rate", "20"));

        URI prom = URI.create("http://127.0.0.1:" + prometheus);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                get(prom, "/api/v1/query?query=" + URLEncoder.encode("count(up{job=\"poolwatch\"} == 1)",
                        StandardCharsets.UTF_8)).path("data").path("result").path(0).path("value").path(1).asInt() == 3);
        JsonNode status = get(URI.create("http://127.0.0.1:" + alertmanager), "/api/v2/status");
        CliRun r = run.get(90, TimeUnit.SECONDS);

        assertThat(status.path("cluster").path("peers")).as("Alertmanager cluster members").hasSize(2);
        assertThat(status.path("config").path("original").asText()).contains("/alertmanager/relay")
                .doesNotContain("/alertmanager/webhook");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("poolwatch stack is up with 3 instances:", "instance 3", "poolwatch stack stopped");
        for (int k = 1; k <= 3; k++) {
            assertThat(data.resolve("instance-" + k + "/demo.db")).exists();
        }
        assertThat(stackTempDirs()).as("the stack's temp dirs are removed").isEqualTo(tempBefore);
    }

    @Test
    void instanceCountOutsideItsRangeIsAUsageError() {
        CliRun r = CliRun.of("stack", "--instances", "9", "--data-dir", dir.toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--instances must be between 1 and 8, was 9");
    }

    private static JsonNode get(URI base, String path) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(3))
                .build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static Set<Path> stackTempDirs() throws java.io.IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("poolwatch-stack-"))
                    .collect(Collectors.toSet());
        }
    }
}
