package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksOptionsTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreEightSecondsThreeRoundsAndTheDocsPage() {
        Benchmarks.BenchOptions o = Benchmarks.BenchOptions.parse();
        assertThat(o).isEqualTo(new Benchmarks.BenchOptions(8, 3, Path.of("docs/benchmarks.md")));
    }

    @Test
    void everyOptionIsTaken() {
        Path out = dir.resolve("b.md");
        assertThat(Benchmarks.BenchOptions.parse("--seconds", "1", "--rounds", "5", "--out", out.toString()))
                .isEqualTo(new Benchmarks.BenchOptions(1, 5, out));
    }

    @Test
    void anOutFileInADirectoryThatDoesNotExistIsRefusedBeforeAnythingRuns() {
        Path out = dir.resolve("missing").resolve("b.md");
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--out", out.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--out " + out)
                .hasMessageContaining("is not a writable directory");
    }

    @Test
    void anOutThatIsADirectoryIsRefusedBeforeAnythingRuns() {
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--out", dir.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--out " + dir + " is a directory; give the page's file, for example "
                        + dir.resolve("benchmarks.md"));
    }

    @Test
    void badNumbersAndUnknownOrIncompleteArgumentsAreNamed() {
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--seconds", "x"))
                .hasMessage("--seconds must be a whole number of at least 1, was 'x'");
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--rounds", "0"))
                .hasMessage("--rounds must be at least 1, was 0");
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--seconds", "1", "--rounds"))
                .hasMessage("--rounds needs a value");
        assertThatThrownBy(() -> Benchmarks.BenchOptions.parse("--fast"))
                .hasMessage("unknown argument '--fast'; use --seconds N, --rounds N and --out FILE");
    }
}
