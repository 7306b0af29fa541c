package dev.poolwatch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;

/**
 * Supplies option defaults from the environment ({@code POOLWATCH_PORT} for {@code --port}) and from a config file
 * ({@code --config FILE} or {@code POOLWATCH_CONFIG}; .properties or .yaml, keys are option names without dashes).
 * The file is found before parsing, because picocli asks for defaults before it reads the arguments.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {

    private final Map<String, String> env;
    private final Map<String, String> file;

    ConfigDefaults(String[] args, Map<String, String> env) {
        this.env = env;
        String path = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null) {
            path = env.get("POOLWATCH_CONFIG");
        }
        this.file = path == null ? Map.of() : load(Path.of(path));
    }

    private static Map<String, String> load(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("config file " + path + " does not exist or is not a file");
        }
        Map<String, String> out = new HashMap<>();
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try (InputStream in = Files.newInputStream(path)) {
            if (name.endsWith(".properties")) {
                Properties p = new Properties();
                p.load(in);
                p.forEach((k, v) -> out.put(k.toString().strip(), v.toString().strip()));
            } else if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(in);
                if (root != null && !root.isObject()) {
                    throw new IOException("the top level must be a mapping of option names to values");
                }
                if (root != null) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        out.put(e.getKey(), e.getValue().isArray() ? join(e.getValue()) : e.getValue().asText());
                    }
                }
            } else {
                throw new IOException("use a .properties, .yaml or .yml file");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config file " + path + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static String join(JsonNode array) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode n : array) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(n.asText());
        }
        return sb.toString();
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec arg) {
        if (!(arg instanceof CommandLine.Model.OptionSpec)) {
            return null;
        }
        String key = ((CommandLine.Model.OptionSpec) arg).longestName().replaceFirst("^-+", "");
        String fromEnv = env.get("POOLWATCH_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file.get(key);
        if (fromFile == null) {
            fromFile = file.get(key.replace("-", ""));
        }
        return fromFile != null ? fromFile : arg.defaultValue();
    }
}
