package dev.poolwatch.dashboards;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A lexical reading of PromQL, enough to find every series selector with its label matchers, its range and the
 * functions around it. It is not a validating parser: promtool checks the grammar (see {@link Promtool}).
 * Grafana variables ({@code $pool}, {@code [$__rate_interval]}) are read as they are, without substitution.
 */
final class PromQl {

    record Matcher(String label, String op, String value) {
    }

    /**
     * A series selector. {@code range} is the text inside {@code [...]} or null for an instant selector;
     * {@code enclosing} lists the calls around it, innermost first, with "" for plain parentheses.
     */
    record Selector(String metric, List<Matcher> matchers, String range, List<String> enclosing) {

        String innermostCall() {
            return enclosing.isEmpty() ? "" : enclosing.get(0);
        }
    }

    /** Selectors, and ranges that belong to no selector (subqueries). */
    record Analysis(List<Selector> selectors, List<String> subqueryRanges) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");
    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");

    private enum Kind { IDENT, NUMBER, STRING, VARIABLE, RANGE, PUNCT, OP }

    private record Token(Kind kind, String text) {
        boolean is(String s) {
            return (kind == Kind.PUNCT || kind == Kind.OP) && text.equals(s);
        }
    }

    private final List<Token> tokens;
    private final List<String> frames = new ArrayList<>();
    private final List<Selector> selectors = new ArrayList<>();
    private final List<String> subqueryRanges = new ArrayList<>();
    private int pos;

    private PromQl(String expr) {
        this.tokens = tokenize(expr);
    }

    /** @throws IllegalArgumentException when the text cannot be read as PromQL at all */
    static Analysis analyse(String expr) {
        PromQl p = new PromQl(expr);
        p.walk();
        return new Analysis(List.copyOf(p.selectors), List.copyOf(p.subqueryRanges));
    }

    private void walk() {
        String pendingCall = null;
        for (pos = 0; pos < tokens.size(); pos++) {
            Token t = tokens.get(pos);
            if (t.kind == Kind.IDENT) {
                String word = t.text.toLowerCase(Locale.ROOT);
                if (GROUPING.contains(word)) {
                    if (peek(1).is("(")) {
                        skipLabelList();
                    }
                } else if (KEYWORDS.contains(word)) {
                    continue;
                } else if (peek(1).is("(")) {
                    pendingCall = t.text;
                } else if (AGGREGATIONS.contains(word) && peek(1).kind == Kind.IDENT
                        && GROUPING.contains(peek(1).text.toLowerCase(Locale.ROOT))) {
                    pendingCall = t.text;
                } else {
                    pos++;
                    readSelector(t.text);
                }
            } else if (t.is("{")) {
                readSelector(null);
            } else if (t.is("(")) {
                frames.add(pendingCall == null ? "" : pendingCall);
                pendingCall = null;
            } else if (t.is(")")) {
                if (frames.isEmpty()) {
                    throw new IllegalArgumentException("unbalanced ')'");
                }
                frames.remove(frames.size() - 1);
            } else if (t.kind == Kind.RANGE) {
                subqueryRanges.add(t.text);
            }
        }
        if (!frames.isEmpty()) {
            throw new IllegalArgumentException("unbalanced '('");
        }
    }

    /** Reads an optional {@code {...}} and {@code [...]} starting at {@code pos}; leaves pos on the last token read. */
    private void readSelector(String metric) {
        List<Matcher> matchers = new ArrayList<>();
        if (pos < tokens.size() && tokens.get(pos).is("{")) {
            pos++;
            while (!current().is("}")) {
                Token label = current();
                Token op = next();
                Token value = next();
                if ((label.kind != Kind.IDENT && label.kind != Kind.STRING) || op.kind != Kind.OP
                        || value.kind != Kind.STRING) {
                    throw new IllegalArgumentException("malformed label matcher near '" + label.text + "'");
                }
                matchers.add(new Matcher(label.text, op.text, value.text));
                Token after = next();
                if (after.is(",")) {
                    pos++;
                } else if (!after.is("}")) {
                    throw new IllegalArgumentException("expected ',' or '}' after matcher on " + label.text);
                }
            }
            pos++;
        }
        String range = null;
        if (pos < tokens.size() && tokens.get(pos).kind == Kind.RANGE) {
            range = tokens.get(pos).text;
            pos++;
        }
        pos--;
        if (metric == null) {
            metric = matchers.stream().filter(m -> m.label().equals("__name__") && m.op().equals("="))
                    .map(Matcher::value).findFirst().orElse("");
        }
        List<String> enclosing = new ArrayList<>(frames);
        Collections.reverse(enclosing);
        selectors.add(new Selector(metric, List.copyOf(matchers), range, List.copyOf(enclosing)));
    }

    private void skipLabelList() {
        pos++;
        while (!current().is(")")) {
            pos++;
        }
    }

    private Token current() {
        if (pos >= tokens.size()) {
            throw new IllegalArgumentException("unexpected end of expression");
        }
        return tokens.get(pos);
    }

    private Token next() {
        pos++;
        return current();
    }

    private Token peek(int ahead) {
        int i = pos + ahead;
        return i < tokens.size() ? tokens.get(i) : new Token(Kind.PUNCT, "");
    }

    private static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '"' || c == '\'' || c == '`') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != c) {
                    if (s.charAt(j) == '\\' && c != '`' && j + 1 < s.length()) {
                        j++;
                    }
                    value.append(s.charAt(j++));
                }
                if (j >= s.length()) {
                    throw new IllegalArgumentException("unterminated string");
                }
                out.add(new Token(Kind.STRING, value.toString()));
                i = j + 1;
            } else if (c == '[') {
                int end = s.indexOf(']', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated '['");
                }
                out.add(new Token(Kind.RANGE, s.substring(i + 1, end).trim()));
                i = end + 1;
            } else if (c == '$') {
                int j = i + 1;
                if (j < s.length() && s.charAt(j) == '{') {
                    j = s.indexOf('}', j);
                    if (j < 0) {
                        throw new IllegalArgumentException("unterminated '${'");
                    }
                    j++;
                } else {
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
                        j++;
                    }
                }
                out.add(new Token(Kind.VARIABLE, s.substring(i, j)));
                i = j;
            } else if (Character.isLetter(c) || c == '_' || c == ':') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_'
                        || s.charAt(j) == ':')) {
                    j++;
                }
                out.add(new Token(Kind.IDENT, s.substring(i, j)));
                i = j;
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.'
                        || s.charAt(j) == '_')) {
                    j++;
                }
                out.add(new Token(Kind.NUMBER, s.substring(i, j)));
                i = j;
            } else if ("(){},".indexOf(c) >= 0) {
                out.add(new Token(Kind.PUNCT, String.valueOf(c)));
                i++;
            } else {
                String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
                if (List.of("=~", "!~", "!=", "==", "<=", ">=").contains(two)) {
                    out.add(new Token(Kind.OP, two));
                    i += 2;
                } else if ("=<>+-*/%^@".indexOf(c) >= 0) {
                    out.add(new Token(Kind.OP, String.valueOf(c)));
                    i++;
                } else {
                    throw new IllegalArgumentException("unexpected character '" + c + "'");
                }
            }
        }
        return out;
    }
}
