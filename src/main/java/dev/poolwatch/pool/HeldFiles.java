package dev.poolwatch.pool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * The pool's own read-only descriptors on a database's files, shared by every pool of this JVM and closed only when
 * the last one that leased them lets go.
 *
 * <p>Closing any descriptor of a file drops every POSIX advisory lock this process holds on it, and SQLite's locks are
 * POSIX locks: a {@code FileChannel} opened and closed on the {@code -shm} file while a connection was open dropped
 * the shared lock that tells other processes the wal-index is in use, and one on the database file drops the shared
 * locks that stop another process from deciding it is the last connection, checkpointing and deleting the WAL that
 * this process still writes to. SQLite itself keeps such descriptors open until the file has no lock left; this does
 * the same for ours. A descriptor is keyed by the file it opened (device and inode), so a file replaced under the path
 * gets a new one, and the old file's descriptor closes when its leases do.
 */
final class HeldFiles {
    private static final Map<Object, Held> OPEN = new HashMap<>();

    private HeldFiles() {
    }

    /** One user's hold on one file's descriptor. Closing it twice does nothing. */
    static final class Lease implements AutoCloseable {
        private final Held held;
        private boolean closed;

        private Lease(Held held) {
            this.held = held;
        }

        FileChannel channel() {
            return held.channel;
        }

        /** Whether the path now names another file than the one this lease holds (it was replaced or deleted). */
        boolean replacedAt(Path path) {
            return !held.key.equals(keyOf(path));
        }

        @Override
        public void close() throws IOException {
            synchronized (OPEN) {
                if (closed) {
                    return;
                }
                closed = true;
                if (--held.leases > 0) {
                    return;
                }
                OPEN.remove(held.key);
            }
            held.channel.close();
        }
    }

    private static final class Held {
        final Object key;
        final FileChannel channel;
        int leases;

        Held(Object key, FileChannel channel) {
            this.key = key;
            this.channel = channel;
        }
    }

    /** A lease on {@code path}'s descriptor, opening it if no pool of this JVM holds one. */
    static Lease lease(Path path) throws IOException {
        synchronized (OPEN) {
            Object key = keyOf(path);
            if (key == null) {
                throw new java.nio.file.NoSuchFileException(path.toString());
            }
            Held held = OPEN.get(key);
            if (held == null) {
                held = new Held(key, FileChannel.open(path, StandardOpenOption.READ));
                OPEN.put(key, held);
            }
            held.leases++;
            return new Lease(held);
        }
    }

    /**
     * Reads up to {@code into}'s remaining bytes from the start of {@code path}: through a descriptor a pool already
     * holds, so that nothing is closed under its connections, or else through one opened for this read alone.
     */
    static int readStart(Path path, ByteBuffer into) throws IOException {
        synchronized (OPEN) {
            Held held = OPEN.get(keyOf(path));
            if (held != null) {
                return readFully(held.channel, into);
            }
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return readFully(ch, into);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer into) throws IOException {
        int total = 0;
        while (into.hasRemaining()) {
            int n = ch.read(into, total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    /** The file's identity (device and inode where the file system has them), or null if nothing is there. */
    private static Object keyOf(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            Object key = a.fileKey();
            return key != null ? key : path.toRealPath();
        } catch (IOException e) {
            return null;
        }
    }
}
