package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class ErrorKindTest {

    @Test
    void extendedResultCodesFallIntoTheirFamily() {
        assertThat(ErrorKind.classify(new SQLiteException("x", SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT)))
                .isEqualTo(ErrorKind.BUSY);
        assertThat(ErrorKind.classify(new SQLiteException("x", SQLiteErrorCode.SQLITE_IOERR_WRITE)))
                .isEqualTo(ErrorKind.IO);
        assertThat(ErrorKind.classify(new SQLiteException("x", SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE)))
                .isEqualTo(ErrorKind.CONSTRAINT);
        assertThat(ErrorKind.classify(new SQLiteException("x", SQLiteErrorCode.SQLITE_READONLY_DBMOVED)))
                .isEqualTo(ErrorKind.READONLY);
    }

    @Test
    void everyPrimaryCodeOfInterestHasItsKind() {
        assertThat(ErrorKind.fromResultCode(5)).isEqualTo(ErrorKind.BUSY);
        assertThat(ErrorKind.fromResultCode(6)).isEqualTo(ErrorKind.LOCKED);
        assertThat(ErrorKind.fromResultCode(13)).isEqualTo(ErrorKind.FULL);
        assertThat(ErrorKind.fromResultCode(8)).isEqualTo(ErrorKind.READONLY);
        assertThat(ErrorKind.fromResultCode(11)).isEqualTo(ErrorKind.CORRUPT);
        assertThat(ErrorKind.fromResultCode(26)).isEqualTo(ErrorKind.CORRUPT);
        assertThat(ErrorKind.fromResultCode(10)).isEqualTo(ErrorKind.IO);
        assertThat(ErrorKind.fromResultCode(14)).isEqualTo(ErrorKind.IO);
        assertThat(ErrorKind.fromResultCode(19)).isEqualTo(ErrorKind.CONSTRAINT);
        assertThat(ErrorKind.fromResultCode(1)).isEqualTo(ErrorKind.APPLICATION);
        assertThat(ErrorKind.fromResultCode(18)).isEqualTo(ErrorKind.APPLICATION);
        assertThat(ErrorKind.fromResultCode(20)).isEqualTo(ErrorKind.APPLICATION);
        assertThat(ErrorKind.fromResultCode(25)).isEqualTo(ErrorKind.APPLICATION);
        assertThat(ErrorKind.fromResultCode(21)).isEqualTo(ErrorKind.OTHER);
        assertThat(ErrorKind.fromResultCode(2)).isEqualTo(ErrorKind.OTHER);
    }

    @Test
    void wrappedSqliteErrorIsFoundInTheCauseChain() {
        SQLException wrapper = new SQLException("pool failed", new SQLiteException("disk", SQLiteErrorCode.SQLITE_FULL));
        assertThat(ErrorKind.classify(wrapper)).isEqualTo(ErrorKind.FULL);
        assertThat(ErrorKind.classify(new RuntimeException("no sql"))).isEqualTo(ErrorKind.OTHER);
        assertThat(ErrorKind.FULL.tag()).isEqualTo("full");
    }
}
