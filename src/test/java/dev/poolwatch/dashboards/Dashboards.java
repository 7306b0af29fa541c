package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The dashboard files in grafana/dashboards, by file name. */
final class Dashboards {

    static final String DIRECTORY = "grafana/dashboards";

    private Dashboards() {
    }

    static Map<String, String> sources() {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(RepoRoot.path().resolve(DIRECTORY))) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                out.put(file.getFileName().toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    static Map<String, JsonNode> parsed() {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> out = new LinkedHashMap<>();
        sources().forEach((name, text) -> {
            try {
                out.put(name, json.readTree(text));
            } catch (IOException e) {
                throw new UncheckedIOException(name, e);
            }
        });
        return out;
    }

    static Optional<JsonNode> byUid(String uid) {
        return parsed().values().stream().filter(d -> d.path("uid").asText().equals(uid)).findFirst();
    }

    static Optional<JsonNode> panel(JsonNode dashboard, int id) {
        return DashboardLinter.panels(dashboard).stream().filter(p -> p.path("id").asInt(-1) == id).findFirst();
    }
}
