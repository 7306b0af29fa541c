package dev.poolwatch.pool;

/**
 * Reads the first keyword of each statement in a SQL string, to learn what a caller does to the connection's
 * session behind the JDBC API: transaction control the pool must undo, and state (pragmas, attached databases,
 * temp objects) that would outlive the borrow. Cheap enough for every statement: it looks at a few characters.
 */
final class SqlSniffer {
    /** BEGIN, SAVEPOINT, RELEASE, ROLLBACK TO: the session may be inside a transaction the pool did not open. */
    static final int OPENS = 1;
    /** COMMIT, END, ROLLBACK (not ROLLBACK TO): ends whatever transaction is open, including the pool's own. */
    static final int ENDS = 2;
    /** PRAGMA assignments, ATTACH, DETACH, CREATE TEMP: state the next borrower must not inherit. */
    static final int SESSION = 4;
    /** BEGIN: starts a transaction of its own, which inside the pool's transaction is refused. */
    static final int BEGINS = 16;

    /** Pragmas with an argument that only read or run a check, and so leave no state behind. */
    private static final String[] READ_ONLY_PRAGMAS = {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "foreign_key_check", "integrity_check", "quick_check", "wal_checkpoint", "optimize", "incremental_vacuum",
        "function_list", "pragma_list", "collation_list", "module_list", "database_list", "compile_options"
    };

    /** Pragmas whose assignment is stored in the database file, not in the connection: nothing to undo. */
    private static final String[] FILE_PRAGMAS = {"user_version", "application_id"};

    private SqlSniffer() {
    }

    static int classify(String sql) {
        if (sql == null) {
            return 0;
        }
        int flags = classifyOne(sql, 0);
        for (int semi = nextSemicolon(sql, 0); semi >= 0; semi = nextSemicolon(sql, semi + 1)) {
            flags |= classifyOne(sql, semi + 1);
        }
        return flags;
    }

    /**
     * The next semicolon outside quotes and comments, or -1: a literal such as {@code 'a; PRAGMA x=1'} is not a
     * statement, and flagging it would close a healthy connection. Semicolons inside a trigger body still count,
     * which can only add a harmless flag (an END), never hide a statement.
     */
    private static int nextSemicolon(String sql, int from) {
        int n = sql.length();
        for (int i = from; i < n; i++) {
            char c = sql.charAt(i);
            switch (c) {
                case ';':
                    return i;
                case '\'':
                case '"':
                case '`':
                    i = closing(sql, i, c);
                    break;
                case '[':
                    i = closing(sql, i, ']');
                    break;
                case '-':
                    if (i + 1 < n && sql.charAt(i + 1) == '-') {
                        int nl = sql.indexOf('\n', i);
                        i = nl < 0 ? n : nl;
                    }
                    break;
                case '/':
                    if (i + 1 < n && sql.charAt(i + 1) == '*') {
                        int close = sql.indexOf("*/", i + 2);
                        i = close < 0 ? n : close + 1;
                    }
                    break;
                default:
                    break;
            }
        }
        return -1;
    }

    /** The index of the quote that closes the one at {@code open}; a doubled quote inside is part of the text. */
    private static int closing(String sql, int open, char quote) {
        int close = sql.indexOf(quote, open + 1);
        return close < 0 ? sql.length() : close;
    }

    private static int classifyOne(String sql, int from) {
        int i = skipBlank(sql, from);
        if (i >= sql.length()) {
            return 0;
        }
        switch (Character.toUpperCase(sql.charAt(i))) {
            case 'B':
                return word(sql, i, "BEGIN") ? OPENS | BEGINS : 0;
            case 'S':
                return word(sql, i, "SAVEPOINT") ? OPENS : 0;
            case 'R':
                if (word(sql, i, "RELEASE")) {
                    return OPENS;
                }
                if (word(sql, i, "ROLLBACK")) {
                    int j = skipBlank(sql, i + 8);
                    if (word(sql, j, "TRANSACTION")) {
                        j = skipBlank(sql, j + 11);
                    }
                    return word(sql, j, "TO") ? OPENS : ENDS;
                }
                return 0;
            case 'C':
                if (word(sql, i, "COMMIT")) {
                    return ENDS;
                }
                if (word(sql, i, "CREATE")) {
                    int j = skipBlank(sql, i + 6);
                    return word(sql, j, "TEMP") || word(sql, j, "TEMPORARY") ? SESSION : 0;
                }
                return 0;
            case 'E':
                return word(sql, i, "END") ? ENDS : 0;
            case 'A':
                return word(sql, i, "ATTACH") ? SESSION : 0;
            case 'D':
                return word(sql, i, "DETACH") ? SESSION : 0;
            case 'P':
                return word(sql, i, "PRAGMA") ? pragma(sql, skipBlank(sql, i + 6)) : 0;
            default:
                return 0;
        }
    }

    private static int pragma(String sql, int i) {
        int end = i;
        while (end < sql.length() && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
                || sql.charAt(end) == '.')) {
            end++;
        }
        int next = skipBlank(sql, end);
        if (next >= sql.length() || sql.charAt(next) == ';') {
            return 0;
        }
        String name = sql.substring(i, end);
        int dot = name.lastIndexOf('.');
        String bare = dot >= 0 ? name.substring(dot + 1) : name;
        for (String p : FILE_PRAGMAS) {
            if (p.equalsIgnoreCase(bare)) {
                return 0;
            }
        }
        if (sql.charAt(next) == '(') {
            for (String p : READ_ONLY_PRAGMAS) {
                if (p.equalsIgnoreCase(bare)) {
                    return 0;
                }
            }
        }
        return SESSION;
    }

    private static boolean word(String sql, int i, String w) {
        int end = i + w.length();
        return sql.regionMatches(true, i, w, 0, w.length())
                && (end >= sql.length() || !Character.isLetterOrDigit(sql.charAt(end)) && sql.charAt(end) != '_');
    }

    /** Skips white space and comments. */
    private static int skipBlank(String sql, int i) {
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int nl = sql.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else {
                break;
            }
        }
        return i;
    }
}
