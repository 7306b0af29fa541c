package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** docker-compose.yml brings up a local, loopback-only stack from pinned images and the repository's config. */
class ComposeFileTest {

    private static final List<String> STACK = List.of("poolwatch", "prometheus", "alertmanager", "grafana");
    /** Where each service keeps the state that must survive a re-create. */
    private static final Map<String, String> DATA_DIRECTORIES = Map.of(
            "poolwatch", "/data", "prometheus", "/prometheus", "alertmanager", "/alertmanager",
            "grafana", "/var/lib/grafana");

    private final JsonNode compose = Compose.file();
    private final JsonNode services = compose.path("services");

    @Test
    void definesTheFourServicesOfTheStack() {
        assertThat(fieldNames(services)).containsAll(STACK);
    }

    @Test
    void pinsEveryImageToAVersion() {
        forEachService((name, service) -> {
            if (service.has("image")) {
                assertThat(Compose.pinned(service.path("image").asText())).as(name + " image " + service.path("image"))
                        .isTrue();
            } else {
                assertThat(service.has("build")).as(name + " has an image or a build").isTrue();
            }
        });
    }

    @Test
    void publishesEveryPortOnLoopbackOnly() {
        Set<String> published = new HashSet<>();
        forEachService((name, service) -> {
            for (JsonNode port : service.path("ports")) {
                String hostIp = port.isTextual() ? port.asText().split(":")[0] : port.path("host_ip").asText();
                assertThat(hostIp).as(name + " port " + port).isEqualTo("127.0.0.1");
                published.add(port.isTextual() ? port.asText().split(":")[1] : port.path("published").asText());
            }
        });
        assertThat(published).containsExactlyInAnyOrder("9464", "9090", "9093", "3000",
                "9465", "9466", "9091", "9095", "9096");
    }

    @Test
    void bindMountsOnlyPathsThatExistInTheRepository() {
        Path root = RepoRoot.path();
        List<String> missing = new ArrayList<>();
        forEachService((name, service) -> {
            for (Compose.Mount mount : Compose.mounts(service)) {
                if (!mount.bind()) {
                    continue;
                }
                Path host = root.resolve(mount.source()).normalize();
                assertThat(host.startsWith(root)).as(name + " mounts " + mount.source() + " from outside the repository")
                        .isTrue();
                if (!Files.exists(host)) {
                    missing.add(name + ": " + mount.source());
                }
            }
        });
        assertThat(missing).as("bind-mounted paths missing from the repository").isEmpty();
    }

    @Test
    void bindMountsConfigurationReadOnly() {
        forEachService((name, service) -> Compose.mounts(service).stream().filter(Compose.Mount::bind)
                .forEach(m -> assertThat(m.readOnly()).as(name + " mounts " + m.source()).isTrue()));
    }

    @Test
    void keepsEachServicesDataInADeclaredNamedVolume() {
        Set<String> declared = fieldNames(compose.path("volumes"));
        DATA_DIRECTORIES.forEach((name, directory) -> {
            Compose.Mount mount = Compose.mountAt(services.path(name), directory)
                    .orElseThrow(() -> new AssertionError(name + " mounts nothing at " + directory));
            assertThat(mount.bind()).as(name + " data in a named volume").isFalse();
        });
        forEachService((name, service) -> Compose.mounts(service).stream().filter(m -> !m.bind())
                .forEach(m -> assertThat(declared).as(name + " uses volume " + m.source()).contains(m.source())));
    }

    @Test
    void healthChecksEveryLongRunningService() {
        forEachService((name, service) -> {
            if (!oneShotJobs().contains(name)) {
                assertThat(hasHealthcheck(service)).as(name + " has a healthcheck").isTrue();
            }
        });
        assertThat(oneShotJobs()).doesNotContainAnyElementsOf(STACK);
    }

    @Test
    void startsEachServiceOnceWhatItNeedsIsReady() {
        for (String name : STACK) {
            assertThat(services.path(name).path("depends_on").isObject()).as(name + " depends_on with conditions")
                    .isTrue();
        }
        forEachService((name, service) -> {
            Iterator<Map.Entry<String, JsonNode>> deps = service.path("depends_on").fields();
            while (deps.hasNext()) {
                Map.Entry<String, JsonNode> dep = deps.next();
                JsonNode target = services.path(dep.getKey());
                String expected = oneShotJobs().contains(dep.getKey()) ? "service_completed_successfully"
                        : hasHealthcheck(target) ? "service_healthy" : "service_started";
                assertThat(dep.getValue().path("condition").asText()).as(name + " waits for " + dep.getKey())
                        .isEqualTo(expected);
            }
        });
    }

    @Test
    void sharesOneRecoveryTokenReadOnlyWithPoolwatchAndAlertmanager() {
        List<String> command = DockerfileInstructions.defaultCommand(RepoRoot.read("Dockerfile"));
        String tokenFile = command.get(command.indexOf("--token-file") + 1);
        String tokenDirectory = tokenFile.substring(0, tokenFile.lastIndexOf('/'));
        Compose.Mount poolwatch = Compose.mountAt(services.path("poolwatch"), tokenDirectory)
                .orElseThrow(() -> new AssertionError("poolwatch mounts nothing at " + tokenDirectory));
        Compose.Mount alertmanager = Compose.mountAt(services.path("alertmanager"), "/etc/alertmanager/secrets")
                .orElseThrow(() -> new AssertionError("alertmanager mounts nothing at /etc/alertmanager/secrets"));

        assertThat(alertmanager.source()).isEqualTo(poolwatch.source());
        assertThat(poolwatch.readOnly()).isTrue();
        assertThat(alertmanager.readOnly()).isTrue();
        assertThat(poolwatch.bind()).as("token kept out of the working tree").isFalse();
        assertThat(oneShotJobs()).as("a job creates the token before both start").anyMatch(job ->
                Compose.mountOf(services.path(job), poolwatch.source()).isPresent());
    }

    @Test
    void takesGrafanasAdminPasswordFromTheEnvironmentWithTheDocumentedDefault() {
        assertThat(Compose.environment(services.path("grafana"), "GF_SECURITY_ADMIN_PASSWORD"))
                .contains("${GRAFANA_ADMIN_PASSWORD:-poolwatch}");
        assertThat(RepoRoot.read("docs/dashboards.md")).contains("GRAFANA_ADMIN_PASSWORD").contains("`poolwatch`");
    }

    @Test
    void dockerComposeAcceptsTheFile(@TempDir Path workDir) throws Exception {
        assertThat(dockerCompose(workDir, null, "config", "-q")).isEmpty();
    }

    @Test
    void dockerComposeResolvesTheAdminPasswordFromTheEnvironmentOrItsDefault(@TempDir Path workDir) throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode unset = yaml.readTree(dockerCompose(workDir, null, "config"));
        JsonNode set = yaml.readTree(dockerCompose(workDir, "s3cret", "config"));

        assertThat(unset.at("/services/grafana/environment/GF_SECURITY_ADMIN_PASSWORD").asText()).isEqualTo("poolwatch");
        assertThat(set.at("/services/grafana/environment/GF_SECURITY_ADMIN_PASSWORD").asText()).isEqualTo("s3cret");
    }

    /** Runs Debian's docker-compose 1.29 on the file; it validates without a Docker daemon. */
    private static String dockerCompose(Path workDir, String adminPassword, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("docker-compose", "-f", "docker-compose.yml"));
        command.addAll(List.of(args));
        Path out = workDir.resolve("stdout");
        Path err = workDir.resolve("stderr");
        ProcessBuilder builder = new ProcessBuilder(command).directory(RepoRoot.path().toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("GRAFANA_ADMIN_PASSWORD");
        if (adminPassword != null) {
            builder.environment().put("GRAFANA_ADMIN_PASSWORD", adminPassword);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return fail("docker-compose is not on PATH: install the Debian package docker-compose "
                    + "(apt-get install docker-compose) to validate docker-compose.yml", e);
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return fail("docker-compose " + String.join(" ", args) + " did not finish within 120 s");
        }
        assertThat(process.exitValue()).as("docker-compose " + String.join(" ", args) + ": " + Files.readString(err))
                .isZero();
        return Files.readString(out);
    }

    /** Services others wait on to complete, not to become healthy: jobs that run once and exit. */
    private Set<String> oneShotJobs() {
        Set<String> jobs = new HashSet<>();
        forEachService((name, service) -> service.path("depends_on").fields().forEachRemaining(dep -> {
            if (dep.getValue().path("condition").asText().equals("service_completed_successfully")) {
                jobs.add(dep.getKey());
            }
        }));
        return jobs;
    }

    /** A healthcheck in the compose file, or, for a service built here, in its Dockerfile. */
    private static boolean hasHealthcheck(JsonNode service) {
        if (service.path("healthcheck").path("test").size() > 0) {
            return true;
        }
        return service.has("build") && DockerfileInstructions.read(RepoRoot.read(dockerfileOf(service))).stream()
                .anyMatch(i -> i.keyword().equals("HEALTHCHECK") && !i.arguments().equals("NONE"));
    }

    private static String dockerfileOf(JsonNode service) {
        JsonNode build = service.path("build");
        String context = build.isTextual() ? build.asText() : build.path("context").asText(".");
        return context + "/" + build.path("dockerfile").asText("Dockerfile");
    }

    private void forEachService(BiConsumer<String, JsonNode> action) {
        services.fields().forEachRemaining(e -> action.accept(e.getKey(), e.getValue()));
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
