package dev.poolwatch.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

final class QuickCompare {
    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        Path work = Files.createTempDirectory("qc-");
        List<String> scen = List.of(args[1].split(","));
        List<String> setups = List.of(args[2].split(","));
        for (String sn : scen) {
            for (String su : setups) {
                Function<Path, BenchSetup> f = db -> {
                    try {
                        switch (su) {
                            case "poolwatch": return BenchSetup.poolwatch(db, false);
                            case "hikari-tuned": return BenchSetup.hikariTuned(db);
                            case "hikari-split": return BenchSetup.hikariSplit(db);
                            default: throw new IllegalArgumentException(su);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                ScenarioBenchmark.Result r = ScenarioBenchmark.run(work, Scenario.named(sn).withDuration(Duration.ofSeconds(seconds)), f);
                System.out.printf(Locale.ROOT, "%-12s %-13s %8.0f ops/s  p99 %6.2f ms  max %6.1f ms  err %d%n", sn, su,
                        r.opsPerSecond(), r.opP99() / 1e6, r.opMax() / 1e6, r.errors());
            }
        }
    }
}
