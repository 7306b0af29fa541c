package dev.poolwatch.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** docker-compose.yml, read as data, and YAML files of the repository in general. */
final class Compose {

    /**
     * One entry of a service's volumes. {@code source} is a host path for binds ("./grafana") and a volume name
     * otherwise.
     */
    record Mount(String source, String target, boolean bind, boolean readOnly) {
    }

    private static final YAMLMapper YAML = new YAMLMapper();

    private Compose() {
    }

    static JsonNode yaml(String relative) {
        if (!Files.isRegularFile(RepoRoot.path().resolve(relative))) {
            throw new AssertionError(relative + " does not exist in the repository");
        }
        try {
            return YAML.readTree(RepoRoot.read(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(relative, e);
        }
    }

    static JsonNode file() {
        return yaml("docker-compose.yml");
    }

    static JsonNode service(String name) {
        return file().path("services").path(name);
    }

    static List<Mount> mounts(JsonNode service) {
        List<Mount> out = new ArrayList<>();
        for (JsonNode volume : service.path("volumes")) {
            if (volume.isTextual()) {
                String[] parts = volume.asText().split(":");
                String source = parts[0];
                boolean bind = source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
                boolean readOnly = parts.length > 2 && List.of(parts[2].split(",")).contains("ro");
                out.add(new Mount(source, parts.length > 1 ? parts[1] : parts[0], bind, readOnly));
            } else {
                out.add(new Mount(volume.path("source").asText(), volume.path("target").asText(),
                        volume.path("type").asText().equals("bind"), volume.path("read_only").asBoolean(false)));
            }
        }
        return out;
    }

    static Optional<Mount> mountAt(JsonNode service, String target) {
        return mounts(service).stream().filter(m -> m.target().equals(target)).findFirst();
    }

    static Optional<Mount> mountOf(JsonNode service, String source) {
        return mounts(service).stream().filter(m -> m.source().equals(source)).findFirst();
    }

    /**
     * Whether an image reference names one version: a digest, or a tag with a version number that is not
     * "latest" ("grafana/grafana:11.4.0", not "grafana/grafana" nor "grafana/grafana:latest").
     */
    static boolean pinned(String image) {
        if (image.contains("@sha256:")) {
            return true;
        }
        int colon = image.lastIndexOf(':');
        if (colon < 0 || colon < image.lastIndexOf('/')) {
            return false;
        }
        String tag = image.substring(colon + 1);
        return !tag.contains("latest") && tag.chars().anyMatch(Character::isDigit);
    }

    /** The environment of a service, whichever of the map or list forms it uses. */
    static Optional<String> environment(JsonNode service, String variable) {
        JsonNode env = service.path("environment");
        if (env.isObject()) {
            return env.has(variable) ? Optional.of(env.path(variable).asText()) : Optional.empty();
        }
        for (JsonNode entry : env) {
            if (entry.asText().startsWith(variable + "=")) {
                return Optional.of(entry.asText().substring(variable.length() + 1));
            }
        }
        return Optional.empty();
    }
}
