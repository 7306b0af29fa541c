package dev.poolwatch.dashboards;

import dev.poolwatch.dashboards.DockerfileInstructions.Instruction;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The poolwatch image: built by Maven in one stage, run by a plain JRE as a non-root user in another. */
class DockerfileTest {

    private final String dockerfile = RepoRoot.read("Dockerfile");
    private final List<Instruction> all = DockerfileInstructions.read(dockerfile);
    private final List<Instruction> runtime = DockerfileInstructions.finalStage(all);

    @Test
    void buildsWithMavenAndRunsOnAPinnedJreImage() {
        List<String> bases = all.stream().filter(i -> i.keyword().equals("FROM"))
                .map(i -> i.arguments().split("\\s+")[0]).toList();

        assertThat(bases).hasSizeGreaterThanOrEqualTo(2).allMatch(Compose::pinned);
        assertThat(bases.get(0)).startsWith("maven:").contains("eclipse-temurin-17");
        assertThat(bases.get(bases.size() - 1)).startsWith("eclipse-temurin:17").endsWith("-jre");
        assertThat(all).anyMatch(i -> i.keyword().equals("RUN") && i.arguments().contains("mvn")
                && i.arguments().contains("package"));
        assertThat(runtime).anyMatch(i -> i.keyword().equals("COPY") && i.arguments().startsWith("--from=")
                && i.arguments().contains("target/poolwatch.jar"));
    }

    @Test
    void runsAsANonRootUser() {
        String user = runtime.stream().filter(i -> i.keyword().equals("USER")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("the runtime stage never leaves root")).arguments();
        String uid = user.split(":")[0];

        assertThat(uid).isNotIn("root", "0").matches("[1-9][0-9]*");
    }

    @Test
    void reportsHealthyOnlyWhileReadyWithAToolTheImageIsCheckedToHave() {
        Instruction healthcheck = runtime.stream().filter(i -> i.keyword().equals("HEALTHCHECK")).findFirst()
                .orElseThrow(() -> new AssertionError("no HEALTHCHECK"));
        String probe = healthcheck.arguments().substring(healthcheck.arguments().indexOf("CMD ") + 4);
        String tool = probe.split("\\s+")[0];

        assertThat(probe).contains("http://127.0.0.1:9464/health/ready");
        assertThat(runtime).as("the build fails if the image lacks " + tool)
                .anyMatch(i -> i.keyword().equals("RUN") && i.arguments().equals("command -v " + tool));
    }

    @Test
    void runsTheDemoOnAllInterfacesWithItsDataAndTokenOnMountedPaths() {
        List<String> command = DockerfileInstructions.defaultCommand(dockerfile);

        assertThat(command.get(0)).isEqualTo("demo");
        assertThat(String.join(" ", command)).contains("--bind 0.0.0.0", "--port 9464", "--data-dir /data",
                "--token-file /run/secrets/poolwatch-token");
        assertThat(runtime).anyMatch(i -> i.keyword().equals("ENTRYPOINT") && i.arguments().startsWith("[")
                && i.arguments().contains("\"-jar\""));
        assertThat(runtime).as("/data belongs to the runtime user, so a fresh volume is writable")
                .anyMatch(i -> i.keyword().equals("RUN") && i.arguments().contains("chown poolwatch:poolwatch /data"));
    }

    @Test
    void sendsOnlyThePomAndSourcesToTheBuild() {
        List<String> rules = RepoRoot.read(".dockerignore").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();

        assertThat(rules).containsExactly("*", "!pom.xml", "!src/");
    }
}
