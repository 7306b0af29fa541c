package dev.poolwatch.reliability;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile JSON for the fuzz tests. */
final class Fuzz {
    private Fuzz() {
    }

    static String validWebhook() {
        return "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"SqlitePoolConnectionLeak\\\"}\",\"truncatedAlerts\":0,"
                + "\"status\":\"firing\",\"receiver\":\"poolwatch-recovery\",\"groupLabels\":{},\"commonLabels\":{},"
                + "\"commonAnnotations\":{},\"externalURL\":\"http://am:9093\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":{\"alertname\":\"SqlitePoolConnectionLeak\",\"pool\":\"fuzz\",\"recovery_action\":"
                + "\"reclaim_leaks\",\"severity\":\"warning\"},\"annotations\":{\"summary\":\"x\"},"
                + "\"startsAt\":\"2026-11-25T10:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":\"x\","
                + "\"fingerprint\":\"abc\"}]}";
    }

    /** Random JSON values nested up to {@code depth}. */
    static Arbitrary<String> json(int depth) {
        Arbitrary<String> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(20).map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.integers().map(Object::toString), Arbitraries.of("true", "false", "null", "1.5e300"));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<String> inner = json(depth - 1);
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of("alerts", "labels", "status", "version",
                "fingerprint", "startsAt", "pool", "recovery_action", "alertname"), Arbitraries.strings().alpha()
                .ofMaxLength(8));
        Arbitrary<String> arrays = inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
        Arbitrary<String> objects = Combinators.combine(keys, inner).as((k, v) -> "\"" + k + "\":" + v).list()
                .ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}");
        return Arbitraries.oneOf(scalars, arrays, objects);
    }

    /** Webhook-shaped payloads with random label values, statuses and alert counts. */
    static Arbitrary<String> webhooks() {
        Arbitrary<String> status = Arbitraries.of("firing", "resolved", "exploded", "");
        Arbitrary<String> action = Arbitraries.oneOf(Arbitraries.of("restart_pool", "evict_idle", "reclaim_leaks",
                "checkpoint", "optimize", "resize_up", "quick_check", "drop_table"), Arbitraries.strings().ofMaxLength(30));
        Arbitrary<String> pool = Arbitraries.oneOf(Arbitraries.just("fuzz"), Arbitraries.strings().ofMaxLength(300));
        Arbitrary<String> alert = Combinators.combine(status, action, pool, Arbitraries.strings().alpha().ofMaxLength(10))
                .as((s, a, p, f) -> "{\"status\":\"" + s + "\",\"labels\":{\"alertname\":\"A\",\"pool\":\"" + esc(p)
                        + "\",\"recovery_action\":\"" + esc(a) + "\"},\"fingerprint\":\"" + f + "\",\"startsAt\":\"t\"}");
        return alert.list().ofMaxSize(30).map(l -> "{\"version\":\"4\",\"alerts\":[" + String.join(",", l) + "]}");
    }

    private static String esc(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The text with a few random characters replaced, deleted or duplicated. */
    static Arbitrary<String> mutated(String text) {
        Arbitrary<int[]> edits = Arbitraries.integers().between(0, text.length() - 1).array(int[].class).ofMinSize(1)
                .ofMaxSize(5);
        Arbitrary<Character> chars = Arbitraries.chars().with(List.of('{', '}', '[', ']', '"', ',', ':', '\\', '0')
                .stream().map(String::valueOf).reduce("", String::concat).toCharArray()).ascii();
        return Combinators.combine(edits, chars, Arbitraries.integers().between(0, 2)).as((positions, c, kind) -> {
            StringBuilder sb = new StringBuilder(text);
            for (int p : positions) {
                int at = Math.min(p, sb.length() - 1);
                if (at < 0) {
                    break;
                }
                switch (kind) {
                    case 0 -> sb.setCharAt(at, c);
                    case 1 -> sb.deleteCharAt(at);
                    default -> sb.insert(at, sb.charAt(at));
                }
            }
            return sb.toString();
        });
    }
}
