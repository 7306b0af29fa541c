package dev.poolwatch.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Alertmanager's routing, as {@code amtool config routes test} walks it: the root matches every alert; a child that
 * matches is descended into and, unless it says {@code continue: true}, ends the search among its siblings; a route
 * none of whose children match delivers to its receiver, inherited from its parent when unset. Matchers are
 * {@code matchers} (=, !=, =~, !~; regexes anchored) and the older {@code match} / {@code match_re}; a missing label
 * is the empty string.
 */
final class AlertRoutes {

    private static final Pattern MATCHER = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*(.*?)\\s*");

    private AlertRoutes() {
    }

    /** The receivers an alert with {@code labels} is delivered to, in routing order. */
    static List<String> receivers(JsonNode root, Map<String, String> labels) {
        List<String> out = new ArrayList<>();
        walk(root, root.path("receiver").asText(""), labels, out);
        return out;
    }

    private static void walk(JsonNode route, String inherited, Map<String, String> labels, List<String> out) {
        String receiver = route.hasNonNull("receiver") ? route.get("receiver").asText() : inherited;
        boolean matched = false;
        for (JsonNode child : route.path("routes")) {
            if (matches(child, labels)) {
                matched = true;
                walk(child, receiver, labels, out);
                if (!child.path("continue").asBoolean(false)) {
                    break;
                }
            }
        }
        if (!matched) {
            out.add(receiver);
        }
    }

    static boolean matches(JsonNode route, Map<String, String> labels) {
        for (JsonNode m : route.path("matchers")) {
            Matcher x = MATCHER.matcher(m.asText());
            if (!x.matches()) {
                throw new IllegalArgumentException("cannot read matcher '" + m.asText() + "'");
            }
            if (!test(x.group(2), unquote(x.group(3)), labels.getOrDefault(x.group(1), ""))) {
                return false;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = route.path("match").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!labels.getOrDefault(e.getKey(), "").equals(e.getValue().asText())) {
                return false;
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = route.path("match_re").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!test("=~", e.getValue().asText(), labels.getOrDefault(e.getKey(), ""))) {
                return false;
            }
        }
        return true;
    }

    private static boolean test(String op, String value, String actual) {
        switch (op) {
            case "=": return actual.equals(value);
            case "!=": return !actual.equals(value);
            case "=~": return Pattern.compile("^(?:" + value + ")$").matcher(actual).matches();
            default: return !Pattern.compile("^(?:" + value + ")$").matcher(actual).matches();
        }
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return v;
    }
}
