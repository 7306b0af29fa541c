package dev.poolwatch.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.poolwatch.rules.Tool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/remote-write and docs/fleet.md#past-one-prometheus, as promtool sees them: the fleet rules compute what their
 * unit tests pin, and the edge config is valid with each backend's remote_write block that the doc shows.
 */
class RemoteWriteTest {

    private static final Path DIR = Path.of("deploy/remote-write");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern YAML_BLOCK = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);

    @Test
    void fleetRulesComputeWhatTheirUnitTestsPin(@TempDir Path scratch) {
        String out = Tool.require("promtool", "prometheus").runOk(scratch, List.of("test", "rules",
                DIR.resolve("fleet.rules.test.yml").toString()));

        assertThat(out).contains("SUCCESS");
    }

    @Test
    void edgeConfigIsValidWithEveryDocumentedBackend(@TempDir Path scratch) throws Exception {
        Tool promtool = Tool.require("promtool", "prometheus");
        ObjectNode edge = (ObjectNode) YAML.readTree(DIR.resolve("prometheus.yml").toFile());
        List<JsonNode> backends = new ArrayList<>();
        Matcher block = YAML_BLOCK.matcher(Files.readString(Path.of("docs/fleet.md")));
        while (block.find()) {
            JsonNode node = YAML.readTree(block.group(1));
            if (node != null && node.has("remote_write") && node.size() == 1) {
                backends.add(node.get("remote_write"));
            }
        }
        assertThat(backends).as("remote_write blocks in docs/fleet.md: Thanos, Mimir, VictoriaMetrics").hasSize(3);
        backends.add(edge.get("remote_write"));
        for (JsonNode remoteWrite : backends) {
            edge.set("remote_write", remoteWrite);
            Path config = scratch.resolve("prometheus.yml");
            YAML.writeValue(config.toFile(), edge);

            assertThat(promtool.runOk(scratch, List.of("check", "config", config.toString()))).contains("SUCCESS");
        }
    }
}
