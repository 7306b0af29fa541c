package dev.poolwatch.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Collects what each reliability test tried and what it lost, one tab-separated row per test, in
 * {@code target/reliability/figures.tsv}; {@code scripts/reliability} turns them into docs/reliability.md.
 */
public final class Figures {
    static final Path FILE = Path.of("target", "reliability", "figures.tsv");

    private Figures() {
    }

    /** One row: the fault or input class, how it was tried, how many times, and what was lost. */
    public static synchronized void record(String fault, String how, long tries, String lost) {
        try {
            Files.createDirectories(FILE.getParent());
            String row = String.join("\t", Instant.now().toString(), fault, how, Long.toString(tries), lost) + "\n";
            Files.writeString(FILE, row, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
