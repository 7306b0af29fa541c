package dev.poolwatch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The files of deploy/kubernetes that are made from others: the PrometheusRule from prometheus/rules/*.yml and the
 * dashboard copies from grafana/dashboards (kustomize reads no file outside its folder). {@link #main} writes them;
 * KubernetesManifestsTest fails while the checked-in ones differ.
 */
final class KubernetesManifests {

    static final Path BASE = Path.of("deploy/kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).disable(YAMLGenerator.Feature.SPLIT_LINES));
    private static final String HEADER = """
            # Generated from prometheus/rules/*.yml by KubernetesManifests (src/test/java/dev/poolwatch/deploy); do not
            # edit. Regenerate: mvn test -Dtest=KubernetesManifestsTest -Dpoolwatch.regenerate=true
            # Prometheus Operator loads it when the labels match its ruleSelector (kube-prometheus-stack selects
            # release: <its Helm release>): add them in an overlay.
            """;

    private KubernetesManifests() {
    }

    /** Each generated file's path under {@link #BASE} and its content. */
    static Map<String, String> generated(Path repo) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("prometheusrule.yaml", prometheusRule(repo));
        for (Path dashboard : list(repo.resolve("grafana/dashboards"), ".json")) {
            out.put("dashboards/" + dashboard.getFileName(), read(dashboard));
        }
        return out;
    }

    static String prometheusRule(Path repo) {
        ObjectNode rule = YAML.createObjectNode();
        rule.put("apiVersion", "monitoring.coreos.com/v1");
        rule.put("kind", "PrometheusRule");
        ObjectNode metadata = rule.putObject("metadata");
        metadata.put("name", "poolwatch");
        metadata.putObject("labels").put("app.kubernetes.io/name", "poolwatch");
        ArrayNode groups = rule.putObject("spec").putArray("groups");
        for (Path file : list(repo.resolve("prometheus/rules"), ".yml")) {
            try {
                JsonNode rules = YAML.readTree(file.toFile());
                rules.path("groups").forEach(groups::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        try {
            return HEADER + YAML.writeValueAsString(rule);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the generated files; run from the repository root. */
    public static void main(String[] args) throws IOException {
        Path repo = Path.of("").toAbsolutePath();
        for (Map.Entry<String, String> e : generated(repo).entrySet()) {
            Path target = repo.resolve(BASE).resolve(e.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, e.getValue());
        }
    }
}
