package dev.poolwatch.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.Arrays;

/** What open() and restart() check before SQLite sees the file, so that the error names the problem. */
final class FileChecks {
    /** SQLite result codes, so that these failures are classified like SQLite's own errors. */
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_CANTOPEN = 14;
    private static final int SQLITE_NOTADB = 26;
    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    private FileChecks() {
    }

    static void check(Path path) throws SQLException {
        if (Files.isDirectory(path)) {
            throw new SQLNonTransientConnectionException("database path " + path + " is a directory, not a file", "08001");
        }
        Path dir = path.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException("cannot create the directory " + dir + " for the database: "
                    + e, "08001", SQLITE_CANTOPEN, e);
        }
        if (!Files.isWritable(dir)) {
            throw new SQLNonTransientConnectionException("directory " + dir + " is not writable: SQLite must create the"
                    + " -wal and -shm files beside the database", "08001", SQLITE_READONLY);
        }
        if (Files.exists(path) && !Files.isWritable(path)) {
            throw new SQLNonTransientConnectionException("database file " + path + " is not writable", "08001",
                    SQLITE_READONLY);
        }
        byte[] header = new byte[SQLITE_HEADER.length];
        int read;
        try {
            read = HeldFiles.readStart(path, ByteBuffer.wrap(header));
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new SQLNonTransientConnectionException("cannot read database file " + path + ": " + e, "08001", e);
        }
        if (read > 0 && !Arrays.equals(header, SQLITE_HEADER)) {
            throw new SQLNonTransientConnectionException("file " + path + " is not a SQLite database (its first bytes are"
                    + " not the SQLite header)", "08001", SQLITE_NOTADB);
        }
    }

    static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }
}
