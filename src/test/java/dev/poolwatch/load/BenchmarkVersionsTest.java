package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchmarkVersionsTest {

    @Test
    void hikariVersionInTheBenchmarkReportIsTheResolvedOne() throws Exception {
        assertThat(Benchmarks.mavenVersion("com.zaxxer", "HikariCP")).matches("\\d+\\.\\d+\\.\\d+.*");
    }
}
