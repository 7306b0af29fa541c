package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header offsets against what SQLite itself reports for the same WAL. */
class WalIndexHeaderTest {

    @TempDir
    Path dir;

    @Test
    void framesAndPendingFramesMatchWhatSqliteReportsBeforeAndAfterACheckpoint() throws Exception {
        Path db = dir.resolve("h.db");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        HeldFiles.Lease shm = null;
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE t(body BLOB)");
            for (int i = 0; i < 20; i++) {
                s.execute("INSERT INTO t VALUES (randomblob(3000))");
            }
            shm = HeldFiles.lease(Path.of(db + "-shm"));
            WalIndexHeader header = WalIndexHeader.of(shm.channel());
            assertThat(header).isNotNull();
            long pending = header.pendingFrames();
            long frames = header.frames();

            int logFrames;
            int copied;
            try (ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                rs.next();
                logFrames = rs.getInt(2);
                copied = rs.getInt(3);
            }

            assertThat(pending).as("uncopied frames before the checkpoint").isEqualTo(logFrames).isGreaterThan(20);
            assertThat(frames).as("frames in the log before the checkpoint").isEqualTo(logFrames);
            assertThat(copied).isEqualTo(logFrames);
            assertThat(header.pendingFrames()).as("after a checkpoint that copied every frame").isZero();
            s.execute("INSERT INTO t VALUES (randomblob(10))");
            assertThat(header.pendingFrames()).as("one small commit after the log restarted").isBetween(1L, 3L);
            assertThat(header.frames()).as("frames after the log restarted").isBetween(1L, 3L);
        } finally {
            // The connection first: closing our descriptor while it is open would drop its locks on the file.
            c.close();
            if (shm != null) {
                shm.close();
            }
        }
    }

    @Test
    void aWalIndexFileTooShortForAHeaderMeansNoHeader() throws Exception {
        Path shm = java.nio.file.Files.write(dir.resolve("short.db-shm"), new byte[10]);
        try (HeldFiles.Lease lease = HeldFiles.lease(shm)) {
            assertThat(WalIndexHeader.of(lease.channel())).isNull();
        }
    }
}
