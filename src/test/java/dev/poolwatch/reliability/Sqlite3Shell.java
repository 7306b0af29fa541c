package dev.poolwatch.reliability;

import java.nio.file.Files;
import java.nio.file.Path;

/** Debian's sqlite3 shell, for tests that need another process on the same database. */
public final class Sqlite3Shell {
    private Sqlite3Shell() {
    }

    /** The shell's path on PATH; fails the test, saying what to install, when it is missing. */
    public static String path() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, "sqlite3"))) {
                return Path.of(d, "sqlite3").toString();
            }
        }
        throw new AssertionError("sqlite3 not found on PATH: install Debian package 'sqlite3' (scripts/test does this)");
    }
}
