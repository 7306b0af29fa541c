package dev.poolwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the repository's Prometheus and Alertmanager configuration against a running exporter without Docker: copies
 * {@code prometheus/} and {@code alertmanager/} into a temp dir, points their targets and webhook at loopback ports
 * and the webhook's credentials at the token file itself (never a copy, so a rotated token needs no reload), gives
 * each process its own data dir, starts {@code prometheus} (with the retention {@code prometheus.yml} asks for) and
 * {@code alertmanager} from PATH, and removes everything on {@link #close()}. Used by {@code poolwatch stack} and the
 * end-to-end tests.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    static final String EXPORTER_TARGET = "poolwatch:9464";
    static final String ALERTMANAGER_TARGET = "alertmanager:9093";
    static final String PROMETHEUS_TARGET = "prometheus:9090";
    private static final Pattern RETENTION = Pattern.compile("--storage\\.tsdb\\.retention\\.time=([0-9]+[a-z]+)");

    private final Path temp;
    private final List<Process> processes = new ArrayList<>();
    private final int prometheusPort;
    private final List<Integer> alertmanagerPorts;

    private LocalStack(Path temp, int prometheusPort, List<Integer> alertmanagerPorts) {
        this.temp = temp;
        this.prometheusPort = prometheusPort;
        this.alertmanagerPorts = alertmanagerPorts;
    }

    public URI prometheus() {
        return URI.create("http://127.0.0.1:" + prometheusPort);
    }

    public List<URI> alertmanagers() {
        return alertmanagerPorts.stream().map(p -> URI.create("http://127.0.0.1:" + p)).toList();
    }

    public static Builder builder(Path repo, URI exporter, Path tokenFile) {
        return new Builder(repo, exporter, tokenFile);
    }

    /** Finds an executable on PATH, or explains which Debian/Ubuntu package provides it. */
    static Path binary(String purpose, String debianPackage, String... names) {
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "/usr/bin").split(":")) {
            for (String name : names) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        throw new IllegalStateException(purpose + " not found on PATH (looked for " + String.join(", ", names)
                + "): install the Debian/Ubuntu package '" + debianPackage + "' (apt-get install " + debianPackage
                + ")");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings of a local stack; every port defaults to a free one. */
    public static final class Builder {
        private final Path repo;
        private final URI exporter;
        private final Path tokenFile;
        private int prometheusPort;
        private int alertmanagerPort;
        private int alertmanagers = 1;
        private Duration scrapeInterval;
        private Duration resendDelay = Duration.ofSeconds(5);
        private UnaryOperator<String> rules = UnaryOperator.identity();
        private UnaryOperator<String> alertmanagerConfig = UnaryOperator.identity();
        private List<URI> moreExporters = List.of();

        private Builder(Path repo, URI exporter, Path tokenFile) {
            this.repo = repo;
            this.exporter = exporter;
            this.tokenFile = tokenFile;
        }

        public Builder prometheusPort(int port) {
            this.prometheusPort = port;
            return this;
        }

        public Builder alertmanagerPort(int port) {
            this.alertmanagerPort = port;
            return this;
        }

        /** Two or more run as one gossip cluster, like an HA pair. */
        public Builder alertmanagers(int n) {
            if (n < 1 || n > 3) {
                throw new IllegalArgumentException("alertmanagers must be between 1 and 3, was " + n);
            }
            this.alertmanagers = n;
            return this;
        }

        /** Overrides the scrape and rule evaluation interval of the shipped config (tests use 1 s). */
        public Builder interval(Duration interval) {
            this.scrapeInterval = interval;
            return this;
        }

        public Builder resendDelay(Duration delay) {
            this.resendDelay = delay;
            return this;
        }

        /** Rewrites each rule file's text before Prometheus loads it (tests shorten {@code for:}). */
        public Builder rules(UnaryOperator<String> transform) {
            this.rules = transform;
            return this;
        }

        /** Rewrites alertmanager.yml's text before the ports and token are filled in (tests shorten group_wait). */
        public Builder alertmanagerConfig(UnaryOperator<String> transform) {
            this.alertmanagerConfig = transform;
            return this;
        }

        /** Further exporters Prometheus scrapes in the same job, for a fleet; webhooks still go to the first. */
        public Builder alsoScrape(List<URI> exporters) {
            this.moreExporters = List.copyOf(exporters);
            return this;
        }

        public LocalStack start() throws IOException, InterruptedException {
            Path prometheusBin = binary("Prometheus", "prometheus", "prometheus");
            Path alertmanagerBin = binary("Alertmanager", "prometheus-alertmanager", "prometheus-alertmanager",
                    "alertmanager");
            for (String dir : List.of("prometheus", "alertmanager")) {
                if (!Files.isDirectory(repo.resolve(dir))) {
                    throw new IllegalStateException("no " + dir + "/ folder in " + repo.toAbsolutePath()
                            + ": run this from the poolwatch repository (or pass --repo)");
                }
            }
            Path temp = Files.createTempDirectory("poolwatch-stack-");
            int promPort = prometheusPort > 0 ? prometheusPort : freePort();
            List<Integer> amPorts = new ArrayList<>();
            List<Integer> clusterPorts = new ArrayList<>();
            for (int i = 0; i < alertmanagers; i++) {
                amPorts.add(i == 0 && alertmanagerPort > 0 ? alertmanagerPort : freePort());
                clusterPorts.add(freePort());
            }
            LocalStack stack = new LocalStack(temp, promPort, amPorts);
            try {
                copyTree(repo.resolve("prometheus"), temp.resolve("prometheus"));
                copyTree(repo.resolve("alertmanager"), temp.resolve("alertmanager"));
                // Alertmanager reads the file on every send: pointing at the real one keeps rotation reload-free.
                Path token = tokenFile.toAbsolutePath();
                String retention = retention(temp.resolve("prometheus/prometheus.yml"));
                rewriteRules(temp.resolve("prometheus/rules"));
                Path promConfig = rewritePrometheus(temp.resolve("prometheus/prometheus.yml"), promPort, amPorts);
                Path amConfig = rewriteAlertmanager(temp.resolve("alertmanager/alertmanager.yml"), token);
                for (int i = 0; i < alertmanagers; i++) {
                    List<String> cmd = new ArrayList<>(List.of(alertmanagerBin.toString(),
                            "--config.file=" + amConfig, "--storage.path=" + Files.createDirectories(temp.resolve("am-data-" + i)),
                            "--web.listen-address=127.0.0.1:" + amPorts.get(i)));
                    if (alertmanagers == 1) {
                        cmd.add("--cluster.listen-address=");
                    } else {
                        cmd.add("--cluster.listen-address=127.0.0.1:" + clusterPorts.get(i));
                        cmd.add("--cluster.peer-timeout=2s");
                        cmd.add("--cluster.gossip-interval=100ms");
                        cmd.add("--cluster.pushpull-interval=1s");
                        for (int j = 0; j < alertmanagers; j++) {
                            if (j != i) {
                                cmd.add("--cluster.peer=127.0.0.1:" + clusterPorts.get(j));
                            }
                        }
                    }
                    stack.spawn("alertmanager-" + i, cmd);
                }
                stack.spawn("prometheus", List.of(prometheusBin.toString(), "--config.file=" + promConfig,
                        "--storage.tsdb.path=" + Files.createDirectories(temp.resolve("prom-data")),
                        "--web.listen-address=127.0.0.1:" + promPort,
                        "--storage.tsdb.retention.time=" + retention,
                        "--rules.alert.resend-delay=" + resendDelay.toMillis() + "ms"));
                for (URI am : stack.alertmanagers()) {
                    stack.awaitReady(am.resolve("/-/ready"));
                }
                stack.awaitReady(stack.prometheus().resolve("/-/ready"));
                return stack;
            } catch (IOException | InterruptedException | RuntimeException e) {
                stack.close();
                throw e;
            }
        }

        /** The retention prometheus.yml says whatever starts Prometheus must pass (2.x has no config key for it). */
        static String retention(Path prometheusYml) throws IOException {
            Matcher m = RETENTION.matcher(Files.readString(prometheusYml));
            if (!m.find()) {
                throw new IllegalStateException(prometheusYml + " does not name the retention to start Prometheus"
                        + " with (--storage.tsdb.retention.time=…)");
            }
            return m.group(1);
        }

        private void rewriteRules(Path dir) throws IOException {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                        .toList()) {
                    Files.writeString(f, rules.apply(Files.readString(f)));
                }
            }
        }

        private Path rewritePrometheus(Path file, int promPort, List<Integer> amPorts) throws IOException {
            ObjectNode root = (ObjectNode) YAML.readTree(file.toFile());
            List<String> exporterTargets = new ArrayList<>();
            exporterTargets.add(exporter.getHost() + ":" + exporter.getPort());
            moreExporters.forEach(e -> exporterTargets.add(e.getHost() + ":" + e.getPort()));
            List<String> amTargets = amPorts.stream().map(p -> "127.0.0.1:" + p).toList();
            ObjectNode global = root.with("global");
            if (scrapeInterval != null) {
                global.put("scrape_interval", scrapeInterval.toMillis() + "ms");
                global.put("evaluation_interval", scrapeInterval.toMillis() + "ms");
            }
            for (JsonNode job : root.path("scrape_configs")) {
                if (scrapeInterval != null && job.has("scrape_interval")) {
                    ((ObjectNode) job).put("scrape_interval", scrapeInterval.toMillis() + "ms");
                }
                replaceTargets(job.path("static_configs"), EXPORTER_TARGET, exporterTargets);
                replaceTargets(job.path("static_configs"), ALERTMANAGER_TARGET, amTargets);
                replaceTargets(job.path("static_configs"), PROMETHEUS_TARGET, List.of("127.0.0.1:" + promPort));
            }
            for (JsonNode am : root.path("alerting").path("alertmanagers")) {
                replaceTargets(am.path("static_configs"), ALERTMANAGER_TARGET, amTargets);
            }
            Files.writeString(file, YAML.writeValueAsString(root));
            return file;
        }

        private static void replaceTargets(JsonNode staticConfigs, String from, List<String> to) {
            for (JsonNode sc : staticConfigs) {
                JsonNode targets = sc.get("targets");
                if (targets == null || !targets.isArray()) {
                    continue;
                }
                List<String> next = new ArrayList<>();
                for (JsonNode t : targets) {
                    if (t.asText().equals(from)) {
                        next.addAll(to);
                    } else {
                        next.add(t.asText());
                    }
                }
                ArrayNode arr = (ArrayNode) targets;
                arr.removeAll();
                next.forEach(arr::add);
            }
        }

        private Path rewriteAlertmanager(Path file, Path token) throws IOException {
            ObjectNode root = (ObjectNode) YAML.readTree(alertmanagerConfig.apply(Files.readString(file)));
            String base = exporter.getScheme() + "://" + exporter.getHost() + ":" + exporter.getPort();
            for (JsonNode receiver : root.path("receivers")) {
                for (JsonNode hook : receiver.path("webhook_configs")) {
                    ObjectNode h = (ObjectNode) hook;
                    String url = h.path("url").asText();
                    if (url.startsWith("http://" + EXPORTER_TARGET)) {
                        h.put("url", base + url.substring(("http://" + EXPORTER_TARGET).length()));
                    }
                    JsonNode auth = h.path("http_config").path("authorization");
                    if (auth.isObject() && auth.has("credentials_file")) {
                        ((ObjectNode) auth).put("credentials_file", token.toString());
                    }
                }
            }
            Files.writeString(file, YAML.writeValueAsString(root));
            return file;
        }
    }

    private void spawn(String name, List<String> command) throws IOException {
        Path logFile = temp.resolve(name + ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        processes.add(p);
        log.info("started {} (pid {}), log {}", name, p.pid(), logFile);
    }

    private void awaitReady(URI ready) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (Process p : processes) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("a stack process exited early with code " + p.exitValue()
                            + "; its log: " + lastLog());
                }
            }
            try {
                HttpResponse<Void> r = client.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                log.debug("{} not ready yet: {}", ready, e.getMessage());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(ready + " did not become ready within 30 s; logs: " + lastLog());
    }

    /** The tail of every process log, for failure messages. */
    public String lastLog() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> logs = Files.list(temp)) {
            for (Path l : logs.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(l, StandardCharsets.UTF_8);
                sb.append("\n--- ").append(l.getFileName()).append('\n');
                lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(x -> sb.append(x).append('\n'));
            }
        } catch (IOException e) {
            sb.append("(logs unreadable: ").append(e.getMessage()).append(')');
        }
        return sb.toString();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** Stops every process (TERM, then KILL after 5 s) and deletes the temp dir. Idempotent. */
    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        processes.clear();
        if (Files.exists(temp)) {
            try (Stream<Path> all = Files.walk(temp)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                log.warn("could not remove {}: {}", temp, e.getMessage());
            }
        }
    }
}
