package dev.poolwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The no-Docker stack as its README section describes it. */
@Timeout(120)
class LocalStackTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;

    private static String alert(String name) {
        return "[{\"labels\":{\"alertname\":\"" + name + "\",\"pool\":\"demo\",\"instance\":\"x\","
                + "\"recovery_action\":\"optimize\",\"severity\":\"warning\"},\"annotations\":{}}]";
    }

    private static void post(URI uri, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void prometheusKeepsSevenDaysAndARotatedTokenReachesTheWebhookWithNoCopyAndNoReload() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        webhook.createContext("/", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/alertmanager/webhook")) {
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            }
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        webhook.start();
        Path token = Files.writeString(dir.resolve("poolwatch-token"), "first-token");
        try (LocalStack stack = LocalStack.builder(REPO, URI.create("http://127.0.0.1:"
                        + webhook.getAddress().getPort()), token).resendDelay(Duration.ofSeconds(1))
                .alertmanagerConfig(c -> c.replaceAll("group_wait: \\d+s", "group_wait: 1s")).start()) {
            String flags = HTTP.send(HttpRequest.newBuilder(stack.prometheus().resolve("/api/v1/status/flags"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(JSON.readTree(flags).at("/data/storage.tsdb.retention.time").asText())
                    .as("prometheus.yml: 'Keep 7 days of data' (Prometheus prints 7d as 1w)").isEqualTo("1w");
            Path temp = stackDir(stack);
            try (Stream<Path> files = Files.walk(temp)) {
                assertThat(files.filter(Files::isRegularFile).filter(f -> contains(f, "first-token")))
                        .as("no copy of the token in the stack's temp dir").isEmpty();
            }

            URI alerts = stack.alertmanagers().get(0).resolve("/api/v2/alerts");
            post(alerts, alert("SqlitePoolBeforeRotation"));
            await().atMost(Duration.ofSeconds(30)).until(() -> authorizations.contains("Bearer first-token"));
            Files.writeString(token, "second-token");
            post(alerts, alert("SqlitePoolAfterRotation"));
            await().atMost(Duration.ofSeconds(30)).until(() -> authorizations.contains("Bearer second-token"));
        } finally {
            webhook.stop(0);
        }
    }

    private static boolean contains(Path f, String text) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static Path stackDir(LocalStack stack) {
        Matcher m = Pattern.compile("--- (\\S+)").matcher(stack.lastLog());
        assertThat(m.find()).isTrue();
        try (Stream<Path> dirs = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("poolwatch-stack-"))
                    .filter(d -> Files.exists(d.resolve(m.group(1)))).filter(d -> {
                        try {
                            return Files.readString(d.resolve("prometheus/prometheus.yml"))
                                    .contains(stack.alertmanagers().get(0).getPort() + "");
                        } catch (IOException e) {
                            return false;
                        }
                    }).findFirst().orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void stackHelpNamesEveryOptionTheReadmeShowsAndWhatToWatchWithoutGrafana() {
        CliRun help = CliRun.of("stack", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--port", "--rate", "--repo", "--token-file", "--data-dir",
                "--prometheus-port", "--alertmanager-port", "--duration", "--recovery-dry-run", "--recovery-cooldown",
                "--recovery-budget", "--resize-ceiling", "--resize-down-after");
        assertThat(help.out().replaceAll("\\s+", " ")).contains("no Grafana", "/alerts", "/api/events", "SIGTERM",
                "poolwatch-token");
    }

    @Test
    void sigtermStopsTheStackAndRemovesItsTempDir() throws Exception {
        Path data = dir.resolve("data");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "stack", "--repo", REPO.toString(),
                "--data-dir", data.toString(), "--port", "0", "--prometheus-port",
                Integer.toString(LocalStack.freePort()), "--alertmanager-port", Integer.toString(LocalStack.freePort()),
                "--rate", "20").redirectErrorStream(true).redirectOutput(dir.resolve("out.txt").toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> Files.readString(dir.resolve("out.txt"))
                    .contains("Press Ctrl-C"));
            String out = Files.readString(dir.resolve("out.txt"));
            Matcher temp = Pattern.compile("log (\\S+)/prometheus\\.log").matcher(out);
            assertThat(temp.find()).as(out).isTrue();
            assertThat(out).contains("token file    " + data.resolve("poolwatch-token").toAbsolutePath(),
                    "$(cat " + data.resolve("poolwatch-token").toAbsolutePath() + ")");
            assertThat(Path.of(temp.group(1))).exists();
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(dir.resolve("out.txt"))).contains("poolwatch stack stopped");
            assertThat(Path.of(temp.group(1))).doesNotExist();
        } finally {
            p.destroyForcibly();
        }
    }
}
