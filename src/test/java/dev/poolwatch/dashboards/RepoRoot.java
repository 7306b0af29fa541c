package dev.poolwatch.dashboards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The checkout the tests run in: Maven starts them in the project directory. */
final class RepoRoot {

    private RepoRoot() {
    }

    static Path path() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isPoolwatchProject(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("no poolwatch pom.xml in " + Path.of("").toAbsolutePath() + " or above");
    }

    static String read(String relative) {
        try {
            return Files.readString(path().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isPoolwatchProject(Path dir) {
        Path pom = dir.resolve("pom.xml");
        try {
            return Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>poolwatch</artifactId>");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
