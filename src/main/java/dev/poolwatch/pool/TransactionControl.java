package dev.poolwatch.pool;

import java.util.Locale;

/**
 * Recognises SQL that would end or escape the transaction a group-commit batch shares between callers. sqlite-jdbc
 * runs every statement of a string given to {@code Statement.execute}, so each statement is checked, split on
 * semicolons the way SQLite does (outside quotes and comments, and outside a trigger's BEGIN … END body).
 */
final class TransactionControl {

    private TransactionControl() {
    }

    /**
     * Why {@code sql} may not run inside batched work, or null when it may: {@code BEGIN}, {@code COMMIT},
     * {@code END} and {@code ROLLBACK} end or nest the shared transaction; {@code RELEASE} or {@code ROLLBACK TO} of
     * {@code batchSavepoint} would merge the caller's work into the batch or undo it out from under the pool. The
     * caller's own savepoints ({@code SAVEPOINT x}, {@code RELEASE x}, {@code ROLLBACK TO x}) nest inside the
     * batch's and are allowed.
     */
    static String refusal(String sql, String batchSavepoint) {
        if (sql == null) {
            return null;
        }
        Words w = new Words(sql);
        while (w.more()) {
            String why = refusal(w, batchSavepoint);
            if (why != null) {
                return why;
            }
            w.skipStatement();
        }
        return null;
    }

    private static String refusal(Words w, String batchSavepoint) {
        String first = w.next();
        switch (first) {
            case "BEGIN":
            case "COMMIT":
            case "END":
                return refused(first);
            case "ROLLBACK": {
                String next = w.next();
                if (next.equals("TRANSACTION")) {
                    next = w.next();
                }
                if (!next.equals("TO")) {
                    return refused("ROLLBACK");
                }
                return names(w, batchSavepoint) ? refused("ROLLBACK TO of the batch's savepoint") : null;
            }
            case "RELEASE":
                return names(w, batchSavepoint) ? refused("RELEASE of the batch's savepoint") : null;
            case "CREATE":
                w.inCreate = true;
                return null;
            default:
                return null;
        }
    }

    private static boolean names(Words w, String savepoint) {
        String name = w.next();
        if (name.equals("SAVEPOINT")) {
            name = w.next();
        }
        return name.equalsIgnoreCase(savepoint);
    }

    private static String refused(String what) {
        return what + " is not allowed in batched work (submit/writeBatched): the batch's transaction is shared with"
                + " other callers and the pool commits it; throw to undo your own work, or use a SAVEPOINT of your own";
    }

    /** The upper-cased words of a statement, quotes around a name removed, comments skipped. */
    private static final class Words {
        private final String sql;
        private int i;
        /** The statement is a CREATE: a BEGIN in it opens a trigger body, whose semicolons do not end it. */
        boolean inCreate;
        /** The last word was quoted: a name or a literal, never a keyword or a semicolon. */
        private boolean quoted;

        Words(String sql) {
            this.sql = sql;
        }

        boolean more() {
            skipSpaceAndComments();
            while (i < sql.length() && sql.charAt(i) == ';') {
                i++;
                skipSpaceAndComments();
            }
            return i < sql.length();
        }

        /** Moves past the end of the current statement: its semicolon, or the end of the string. */
        void skipStatement() {
            boolean body = false;
            int cases = 0;
            for (String word = next(); !word.isEmpty() || quoted; word = next()) {
                if (quoted) {
                    continue;
                }
                if (word.equals(";") && !body) {
                    break;
                }
                if (inCreate && word.equals("BEGIN")) {
                    body = true;
                } else if (body && word.equals("CASE")) {
                    cases++;
                } else if (body && word.equals("END")) {
                    if (cases > 0) {
                        cases--;
                    } else {
                        body = false;
                    }
                }
            }
            inCreate = false;
        }

        String next() {
            quoted = false;
            skipSpaceAndComments();
            if (i >= sql.length()) {
                return "";
            }
            char open = sql.charAt(i);
            char close = open == '"' ? '"' : open == '`' ? '`' : open == '[' ? ']' : open == '\'' ? '\'' : 0;
            int start;
            if (close != 0) {
                quoted = true;
                start = ++i;
                while (i < sql.length() && sql.charAt(i) != close) {
                    i++;
                }
                String word = sql.substring(start, Math.min(i, sql.length()));
                i++;
                return word.toUpperCase(Locale.ROOT);
            }
            start = i;
            while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_')) {
                i++;
            }
            if (i == start) {
                i++;
                return sql.substring(start, i);
            }
            return sql.substring(start, i).toUpperCase(Locale.ROOT);
        }

        private void skipSpaceAndComments() {
            while (i < sql.length()) {
                char c = sql.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (sql.startsWith("--", i)) {
                    int end = sql.indexOf('\n', i);
                    i = end < 0 ? sql.length() : end + 1;
                } else if (sql.startsWith("/*", i)) {
                    int end = sql.indexOf("*/", i + 2);
                    i = end < 0 ? sql.length() : end + 2;
                } else {
                    return;
                }
            }
        }
    }
}
