package dev.poolwatch.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One-at-a-time mutations of the alerting rules in the generated alerts file (the layout of mixin/yaml.libsonnet):
 * each number of an expression scaled, each range, offset and {@code for:} halved and doubled, each comparison
 * negated, each {@code and}/{@code or}/{@code unless} clause removed. Equal literals of one expression change
 * together, as they would when their field of mixin/config.libsonnet changes.
 */
final class AlertMutants {

    /** A mutated copy of the alerts file and what was changed. */
    record Mutant(String alert, String change, String text) {
    }

    private static final Pattern ALERT = Pattern.compile("^(\\s*)- alert: (\\S+)$");
    private static final Pattern EXPR = Pattern.compile("^(\\s*)expr: (.*)$");
    private static final Pattern FOR = Pattern.compile("^(\\s*for: )(\\S+)$");
    private static final Pattern DURATION = Pattern.compile("(?<=\\[|offset )(\\d+)(ms|s|m|h|d|w|y)(?=\\]|\\s|\\)|$)");
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.\\[])\\d+(?:\\.\\d+)?(?![\\w.\\]])");
    private static final Pattern COMPARISON = Pattern.compile(">=|<=|==|!=|>|<");
    private static final Pattern CLAUSE = Pattern.compile("^\\s*(and|or|unless)\\b.*");
    private static final Map<String, String> NEGATED = Map.of(">", "<=", ">=", "<", "<", ">=", "<=", ">", "==", "!=",
            "!=", "==");

    private AlertMutants() {
    }

    static List<Mutant> of(String alertsFile) {
        List<String> lines = List.of(alertsFile.split("\n", -1));
        List<Mutant> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher alert = ALERT.matcher(lines.get(i));
            if (alert.matches()) {
                out.addAll(ofRule(lines, i, alert.group(2)));
            }
        }
        return out;
    }

    /** The mutants of the rule whose "- alert:" line is {@code start}. */
    private static List<Mutant> ofRule(List<String> lines, int start, String name) {
        int exprFirst = -1;
        int exprEnd = -1;
        int forLine = -1;
        for (int i = start + 1; i < lines.size() && !ALERT.matcher(lines.get(i)).matches()
                && !lines.get(i).isBlank(); i++) {
            Matcher e = EXPR.matcher(lines.get(i));
            if (e.matches() && exprFirst < 0) {
                boolean block = e.group(2).equals("|");
                exprFirst = block ? i + 1 : i;
                exprEnd = exprFirst + 1;
                while (block && exprEnd < lines.size() && indent(lines.get(exprEnd)) > e.group(1).length()) {
                    exprEnd++;
                }
            }
            if (FOR.matcher(lines.get(i)).matches()) {
                forLine = i;
            }
        }
        String rule = name + " (line " + (start + 1) + ")";
        List<Mutant> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : literalMutations(lines, exprFirst, exprEnd).entrySet()) {
            out.add(new Mutant(rule, e.getKey(), join(lines, exprFirst, exprEnd, e.getValue())));
        }
        for (int[] clause : clauses(lines, exprFirst, exprEnd)) {
            List<String> expr = new ArrayList<>(lines.subList(exprFirst, exprEnd));
            String removed = String.join(" ", expr.subList(clause[0], clause[1])).trim().replaceAll("\\s+", " ");
            expr.subList(clause[0], clause[1]).clear();
            out.add(new Mutant(rule, "clause removed: " + removed, join(lines, exprFirst, exprEnd, expr)));
        }
        if (forLine >= 0) {
            Matcher f = FOR.matcher(lines.get(forLine));
            f.matches();
            for (String d : scaledDurations(f.group(2))) {
                List<String> copy = new ArrayList<>(lines);
                copy.set(forLine, f.group(1) + d);
                out.add(new Mutant(rule, "for: " + f.group(2) + " -> " + d, String.join("\n", copy)));
            }
        }
        return out;
    }

    /** Mutated copies of the expression's lines, keyed by the change: numbers, durations, comparisons. */
    private static Map<String, List<String>> literalMutations(List<String> lines, int from, int to) {
        List<String> expr = lines.subList(from, to);
        Map<String, List<String>> out = new LinkedHashMap<>();
        Map<String, List<int[]>> numbers = new LinkedHashMap<>();
        Map<String, List<int[]>> durations = new LinkedHashMap<>();
        List<int[]> comparisons = new ArrayList<>();
        for (int l = 0; l < expr.size(); l++) {
            String line = expr.get(l);
            boolean[] masked = masked(line);
            for (Matcher m = DURATION.matcher(line); m.find(); ) {
                if (!masked[m.start()]) {
                    durations.computeIfAbsent(m.group(), k -> new ArrayList<>()).add(new int[] {l, m.start(), m.end()});
                }
            }
            for (Matcher m = NUMBER.matcher(line); m.find(); ) {
                boolean duration = m.end() < line.length() && Character.isLetter(line.charAt(m.end()));
                boolean vectorArgument = line.startsWith("vector(", Math.max(0, m.start() - 7));
                if (!masked[m.start()] && !duration && !vectorArgument) {
                    numbers.computeIfAbsent(m.group(), k -> new ArrayList<>()).add(new int[] {l, m.start(), m.end()});
                }
            }
            for (Matcher m = COMPARISON.matcher(line); m.find(); ) {
                if (!masked[m.start()]) {
                    comparisons.add(new int[] {l, m.start(), m.end()});
                }
            }
        }
        numbers.forEach((n, where) -> scaledNumbers(n).forEach(to2 ->
                out.put("number " + n + " -> " + to2, replaced(expr, where, to2))));
        durations.forEach((d, where) -> scaledDurations(d).forEach(to2 ->
                out.put("window " + d + " -> " + to2, replaced(expr, where, to2))));
        for (int[] c : comparisons) {
            String op = expr.get(c[0]).substring(c[1], c[2]);
            out.put("comparison " + op + " -> " + NEGATED.get(op) + " at expr line " + (c[0] + 1) + " col " + (c[1] + 1),
                    replaced(expr, List.of(c), NEGATED.get(op)));
        }
        return out;
    }

    /** Which characters are inside a {label selector} or a "string": their numbers and operators are not mutated. */
    private static boolean[] masked(String line) {
        boolean[] out = new boolean[line.length() + 1];
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && ch == '{') {
                depth++;
            } else if (!quoted && ch == '}') {
                depth--;
            }
            out[i] = quoted || depth > 0 || ch == '}';
        }
        return out;
    }

    /** [first, end) line ranges, relative to the expression, of each clause that can be removed. */
    private static List<int[]> clauses(List<String> lines, int from, int to) {
        List<String> expr = lines.subList(from, to);
        List<int[]> out = new ArrayList<>();
        for (int l = 0; l < expr.size(); l++) {
            String t = expr.get(l).trim();
            if (!CLAUSE.matcher(t).matches()) {
                continue;
            }
            boolean operatorOnly = t.matches("(and|or|unless)( on \\([^)]*\\))?");
            int end = l + 1;
            if (operatorOnly && end < expr.size()) {
                end = expr.get(end).trim().equals("(") ? closing(expr, end) + 1 : end + 1;
            }
            out.add(new int[] {l, end});
        }
        return out;
    }

    private static int closing(List<String> expr, int open) {
        int depth = 0;
        for (int l = open; l < expr.size(); l++) {
            for (char ch : expr.get(l).toCharArray()) {
                depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            }
            if (depth == 0) {
                return l;
            }
        }
        return expr.size() - 1;
    }

    /** Small integers step by one (a count of 5 is not 5.5); other numbers move by 10 % either way. */
    static List<String> scaledNumbers(String n) {
        double v = Double.parseDouble(n);
        if (v == Math.rint(v) && v <= 10) {
            return v == 0 ? List.of("1") : List.of(format(v - 1), format(v + 1));
        }
        return List.of(format(v * 0.9), format(v * 1.1));
    }

    /** Half and double, in milliseconds when half a second count does not divide evenly. */
    static List<String> scaledDurations(String d) {
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)").matcher(d);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a simple Prometheus duration: " + d);
        }
        long ms = Long.parseLong(m.group(1)) * switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            case "w" -> 604_800_000L;
            default -> 31_536_000_000L;
        };
        return List.of(duration(ms / 2), duration(ms * 2));
    }

    private static String duration(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static String format(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(?=$|e)", "");
        return s.contains("e") ? String.valueOf((long) Math.rint(v)) : s;
    }

    private static List<String> replaced(List<String> expr, List<int[]> where, String with) {
        List<String> out = new ArrayList<>(expr);
        // Right to left within a line keeps the earlier offsets valid.
        where.stream().sorted((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]))
                .forEach(w -> out.set(w[0], out.get(w[0]).substring(0, w[1]) + with + out.get(w[0]).substring(w[2])));
        return out;
    }

    private static String join(List<String> lines, int from, int to, List<String> expr) {
        List<String> copy = new ArrayList<>(lines.subList(0, from));
        copy.addAll(expr);
        copy.addAll(lines.subList(to, lines.size()));
        return String.join("\n", copy);
    }

    private static int indent(String line) {
        return line.isBlank() ? Integer.MAX_VALUE : line.length() - line.stripLeading().length();
    }
}
