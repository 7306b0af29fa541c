package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransactionControlTest {

    private static final String BATCH = "poolwatch_batch_00ff";

    @ParameterizedTest
    @ValueSource(strings = {"COMMIT", "commit transaction", "END", "end;", "ROLLBACK", "rollback transaction",
        "BEGIN", "begin immediate", "  \n/* comment */ -- line\n COMMIT", "RELEASE poolwatch_batch_00ff",
        "release savepoint \"POOLWATCH_BATCH_00FF\"", "ROLLBACK TO poolwatch_batch_00ff",
        "rollback transaction to savepoint [poolwatch_batch_00ff]", "INSERT INTO t VALUES (1); COMMIT",
        "SELECT ';'; ROLLBACK", "SELECT 1;;  -- x\n END", "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT CASE WHEN 1"
        + " THEN 2 END; INSERT INTO b VALUES (1); END; COMMIT"})
    void statementThatWouldEndOrEscapeTheSharedTransactionIsRefused(String sql) {
        assertThat(TransactionControl.refusal(sql, BATCH)).contains("not allowed in batched work");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SELECT 1", "INSERT INTO t VALUES (1)", "SAVEPOINT mine", "RELEASE mine",
        "release savepoint mine", "ROLLBACK TO mine", "rollback transaction to savepoint mine", "PRAGMA user_version",
        "/* COMMIT */ SELECT 1", "-- ROLLBACK\nSELECT 1", "UPDATE t SET commit_count = 1", "committed", "",
        "RELEASE poolwatch_batch_00ff_other", "WITH x AS (SELECT 1) SELECT * FROM x", "SELECT 1; SELECT 'COMMIT'",
        "INSERT INTO t VALUES ('a;b'); /* ; END */ SELECT 2;", "CREATE TRIGGER t AFTER INSERT ON a BEGIN"
        + " SELECT CASE WHEN 1 THEN 2 END; INSERT INTO b VALUES (1); END; SELECT 1", "SELECT 'unterminated"})
    void ordinaryStatementsAndTheCallersOwnSavepointsAreAllowed(String sql) {
        assertThat(TransactionControl.refusal(sql, BATCH)).isNull();
    }
}
