package dev.poolwatch.reliability;

import java.util.Iterator;
import java.util.Locale;

/**
 * {@code scripts/fuzz}: the properties of {@link HostileInputFuzzTest} on many more inputs, drawn with fresh random
 * seeds, against one live exporter. Prints how many inputs were tried and every failure; exits 1 if any.
 */
public final class LongFuzz {
    private LongFuzz() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        HostileInputFuzzTest.start();
        int failures = 0;
        try {
            HostileInputFuzzTest t = new HostileInputFuzzTest();
            Iterator<String> payloads = t.payloads().sampleStream().iterator();
            Iterator<String> configs = t.configBodies().sampleStream().iterator();
            Iterator<String> auths = t.auth().sampleStream().iterator();
            Iterator<String> paths = t.paths().sampleStream().iterator();
            for (int i = 0; i < n; i++) {
                String auth = auths.next();
                String input = switch (i % 5) {
                    case 0, 1 -> payloads.next();
                    case 2, 3 -> configs.next();
                    default -> paths.next();
                };
                try {
                    switch (i % 5) {
                        case 0, 1 -> t.webhookNeverFailsAndNeverActsWithoutTheToken(input, auth);
                        case 2, 3 -> t.configApiRejectionsChangeNothing(input, auth);
                        default -> t.manualTriggerAndFaultPathsNeverFail(input, auth);
                    }
                } catch (AssertionError e) {
                    failures++;
                    System.out.println("FAILURE for input " + input + " with auth " + auth + ": " + e.getMessage());
                }
                if ((i + 1) % 5000 == 0) {
                    System.out.printf(Locale.ROOT, "%d inputs, %d failures%n", i + 1, failures);
                }
            }
        } finally {
            HostileInputFuzzTest.stop();
        }
        System.out.printf(Locale.ROOT, "fuzz: %d inputs tried, %d failures%n", n, failures);
        Figures.record("Hostile input (long fuzz run)", "scripts/fuzz: random seeds, webhook, config API and manual"
                + " trigger paths with valid, wrong and missing tokens", n, failures == 0 ? "no failure found"
                : failures + " failures found");
        System.exit(failures == 0 ? 0 : 1);
    }
}
