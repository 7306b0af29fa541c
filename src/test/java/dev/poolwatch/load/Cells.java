package dev.poolwatch.load;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/** Rounds of one (scenario, setup) cell reduced to medians, so one noisy round does not decide a comparison. */
final class Cells {
    private Cells() {
    }

    /**
     * One result per cell: throughput from the round with the median ops/s, each latency the median over rounds,
     * errors summed over every round, worst max kept separately by {@link #worstMax}.
     */
    static List<ScenarioBenchmark.Result> medians(List<ScenarioBenchmark.Result> all, List<Scenario> scenarios,
                                                  List<String> setups) {
        List<ScenarioBenchmark.Result> out = new ArrayList<>();
        for (Scenario s : scenarios) {
            for (String setup : setups) {
                List<ScenarioBenchmark.Result> rounds = rounds(all, s, setup);
                if (rounds.isEmpty()) {
                    continue;
                }
                List<ScenarioBenchmark.Result> byOps = new ArrayList<>(rounds);
                byOps.sort(Comparator.comparingDouble(ScenarioBenchmark.Result::opsPerSecond));
                ScenarioBenchmark.Result mid = byOps.get(byOps.size() / 2);
                Map<String, Long> kinds = new TreeMap<>();
                long errors = 0;
                long missing = 0;
                for (ScenarioBenchmark.Result r : rounds) {
                    errors += r.errors();
                    missing += r.missingWrites();
                    r.errorKinds().forEach((k, v) -> kinds.merge(k, v, Long::sum));
                }
                out.add(new ScenarioBenchmark.Result(setup, s, mid.seconds(), mid.reads(), mid.writes(), errors, kinds,
                        median(rounds, ScenarioBenchmark.Result::opP50), median(rounds, ScenarioBenchmark.Result::opP99),
                        median(rounds, ScenarioBenchmark.Result::writeP99), median(rounds, ScenarioBenchmark.Result::opMax),
                        missing));
            }
        }
        return out;
    }

    static List<ScenarioBenchmark.Result> rounds(List<ScenarioBenchmark.Result> all, Scenario s, String setup) {
        return all.stream().filter(r -> r.scenario().equals(s) && r.setup().equals(setup)).toList();
    }

    static long worstMax(List<ScenarioBenchmark.Result> all, Scenario s, String setup) {
        return rounds(all, s, setup).stream().mapToLong(ScenarioBenchmark.Result::opMax).max().orElse(0);
    }

    private static long median(List<ScenarioBenchmark.Result> rounds, ToLongFunction<ScenarioBenchmark.Result> f) {
        long[] v = rounds.stream().mapToLong(f).sorted().toArray();
        return v[v.length / 2];
    }
}
