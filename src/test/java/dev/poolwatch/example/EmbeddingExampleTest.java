package dev.poolwatch.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingExampleTest {

    @TempDir
    Path dir;

    @Test
    void readmeEmbeddingExampleRunsAndServes() throws Exception {
        String url = EmbeddingExample.run(dir.resolve("app.db"), 0);
        assertThat(url).startsWith("http://127.0.0.1:");
        assertThat(Files.exists(dir.resolve("poolwatch-monitor.db"))).isTrue();
    }

    @Test
    void readmeShowsTheExampleAsItIs() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String example = Files.readString(Path.of("src/test/java/dev/poolwatch/example/EmbeddingExample.java"));
        String body = example.substring(example.indexOf("try (SqlitePool pool"), example.indexOf("return exporter.uri()"));
        for (String line : body.lines().map(String::strip).filter(l -> !l.isEmpty()).toList()) {
            assertThat(readme).as("README contains the example line").contains(line);
        }
    }
}
