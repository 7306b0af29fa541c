package dev.poolwatch.pool;

import static dev.poolwatch.pool.SqlSniffer.BEGINS;
import static dev.poolwatch.pool.SqlSniffer.ENDS;
import static dev.poolwatch.pool.SqlSniffer.OPENS;
import static dev.poolwatch.pool.SqlSniffer.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the sniffer must never miss (a missed flag would let session state or a caller's transaction reach the next
 * borrower), and what it must leave alone (a false flag closes a healthy connection at the end of the borrow).
 */
class SqlSnifferTest {

    static Stream<Arguments> statements() {
        return Stream.of(
                Arguments.of("SELECT 1", 0),
                Arguments.of(null, 0),
                Arguments.of("   ", 0),
                Arguments.of("begin", OPENS | BEGINS),
                Arguments.of("BEGIN IMMEDIATE TRANSACTION", OPENS | BEGINS),
                Arguments.of("beginning_table_scan()", 0),
                Arguments.of("SAVEPOINT a", OPENS),
                Arguments.of("release a", OPENS),
                Arguments.of("ROLLBACK TO a", OPENS),
                Arguments.of("rollback transaction to savepoint a", OPENS),
                Arguments.of("ROLLBACK", ENDS),
                Arguments.of("commit", ENDS),
                Arguments.of("END TRANSACTION", ENDS),
                Arguments.of("ATTACH 'other.db' AS o", SESSION),
                Arguments.of("detach o", SESSION),
                Arguments.of("CREATE TEMP TABLE t(x)", SESSION),
                Arguments.of("create temporary view v as select 1", SESSION),
                Arguments.of("CREATE TABLE t(x)", 0),
                Arguments.of("PRAGMA foreign_keys = OFF", SESSION),
                Arguments.of("pragma main.cache_size=10", SESSION),
                Arguments.of("PRAGMA query_only(1)", SESSION),
                Arguments.of("PRAGMA table_info(t)", 0),
                Arguments.of("PRAGMA main.index_list('t')", 0),
                Arguments.of("PRAGMA user_version = 7", 0),
                Arguments.of("PRAGMA journal_mode", 0),
                Arguments.of("PRAGMA journal_mode;", 0),
                Arguments.of("-- a comment\nPRAGMA foreign_keys=0", SESSION),
                Arguments.of("/* c */ begin", OPENS | BEGINS),
                Arguments.of("SELECT 1; PRAGMA busy_timeout = 1", SESSION),
                Arguments.of("INSERT INTO t VALUES (1);\n  ATTACH 'x' AS y;", SESSION),
                Arguments.of("SELECT 1;SAVEPOINT s", OPENS),
                Arguments.of("INSERT INTO t VALUES ('a; PRAGMA foreign_keys = OFF')", 0),
                Arguments.of("INSERT INTO t VALUES ('it''s; ATTACH ''x'' AS y')", 0),
                Arguments.of("SELECT \"a;b\", [c;d], `e;f` FROM t", 0),
                Arguments.of("SELECT 1 -- ; ATTACH 'x' AS y\n", 0),
                Arguments.of("SELECT 1 /* ; DETACH y */", 0),
                Arguments.of("SELECT ';'; ATTACH 'x' AS y", SESSION),
                Arguments.of("SELECT 'it''s'; PRAGMA cache_size = 5", SESSION),
                Arguments.of("SELECT 1 /* c */; BEGIN", OPENS | BEGINS));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("statements")
    void flagsWhatAStatementDoesToTheSession(String sql, int flags) {
        assertThat(SqlSniffer.classify(sql)).isEqualTo(flags);
    }
}
