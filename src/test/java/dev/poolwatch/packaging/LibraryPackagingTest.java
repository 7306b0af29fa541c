package dev.poolwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.poolwatch.pool.SqlitePool;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * What {@code dev.poolwatch:poolwatch} brings to an application that depends on it: no logging backend, no logging
 * configuration, no migrations where Flyway or Spring Boot look, and a pool that needs nothing but sqlite-jdbc and
 * the SLF4J API. The thin jar is packaged after the tests run, so this checks what it is built from.
 */
class LibraryPackagingTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path RESOURCES = PROJECT.resolve("src/main/resources");

    @TempDir
    Path dir;

    @Test
    void libraryResourcesHoldNoLoggingConfigurationAndNoMigrationsWhereFlywayLooks() throws Exception {
        try (var files = Files.list(RESOURCES)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("resources at the root of the jar, where any backend or framework would find them")
                    .noneMatch(name -> name.startsWith("logback")).doesNotContain("db");
        }
        assertThat(RESOURCES.resolve("dev/poolwatch/store/migration/V1__events_and_config.sql")).isRegularFile();
    }

    @Test
    void loggingBackendAndCommandLineLibrariesAreOptional() throws Exception {
        NodeList deps = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(PROJECT.resolve("pom.xml")
                .toFile()).getElementsByTagName("dependency");
        List<String> cliOnly = List.of("logback-classic", "logstash-logback-encoder", "picocli",
                "jackson-dataformat-yaml");
        int seen = 0;
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            String artifact = text(d, "artifactId");
            if (cliOnly.contains(artifact)) {
                seen++;
                assertThat(text(d, "optional")).as(artifact + " must not reach applications that embed poolwatch")
                        .isEqualTo("true");
            }
        }
        assertThat(seen).isEqualTo(cliOnly.size());
    }

    private static String text(Element e, String tag) {
        NodeList n = e.getElementsByTagName(tag);
        return n.getLength() == 0 ? null : n.item(0).getTextContent().strip();
    }

    @Test
    void poolWorksWithOnlySqliteJdbcAndSlf4jApiOnTheClassPath() throws Exception {
        Path classes = Path.of(SqlitePool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("sqlite-jdbc") || p.contains("slf4j-api")).toList();
        assertThat(jars).hasSize(2);
        Path probe = dir.resolve("Probe.java");
        Files.writeString(probe, """
                import dev.poolwatch.pool.SqlitePool;
                import dev.poolwatch.pool.SqlitePoolConfig;
                import java.nio.file.Path;
                import java.sql.ResultSet;
                import java.sql.Statement;

                public class Probe {
                    public static void main(String[] args) throws Exception {
                        try (SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(Path.of(args[0])).name("thin")
                                .build())) {
                            pool.write(c -> {
                                try (Statement s = c.createStatement()) {
                                    s.execute("CREATE TABLE t (x INTEGER)");
                                    s.execute("INSERT INTO t VALUES (42)");
                                }
                                return null;
                            });
                            int x = pool.read(c -> {
                                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT x FROM t")) {
                                    rs.next();
                                    return rs.getInt(1);
                                }
                            });
                            System.out.println("read " + x + ", writer acquires " + pool.stats().writer().acquires());
                        }
                    }
                }
                """);
        String classPath = classes + File.pathSeparator + String.join(File.pathSeparator, jars);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, probe.toString(), dir.resolve("thin.db").toString())
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("read 42, writer acquires").doesNotContain("NoClassDefFoundError");
    }
}
