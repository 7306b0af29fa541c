package dev.poolwatch.pool;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * How many frames the WAL holds and how many of them no checkpoint has copied yet, read from the wal-index header at the start of the
 * {@code -shm} file (<a href="https://www.sqlite.org/walformat.html">walformat.html</a>, section 2.2): {@code mxFrame}
 * at offset 16 and {@code nBackfill} at offset 96, both 32-bit in native byte order. SQLite keeps no lock for
 * readers of these words that a reader outside SQLite could take, so a read may see a header mid-update; the
 * value is a hint for when to checkpoint, never used for anything a wrong value could corrupt.
 *
 * <p>Mapped read-only once, through a descriptor that stays open until the pool closes (closing it earlier would drop
 * SQLite's locks on the file, see {@link HeldFiles}), so each read is two memory loads with no system call.
 */
final class WalIndexHeader {
    private static final int IS_INIT = 12;
    private static final int MX_FRAME = 16;
    private static final int N_BACKFILL = 96;
    private static final int MAPPED_BYTES = 136;

    private final MappedByteBuffer shm;

    private WalIndexHeader(MappedByteBuffer shm) {
        this.shm = shm;
    }

    /**
     * The header of the wal-index open on {@code shm} (a descriptor a {@link HeldFiles} lease keeps open), or null
     * while the file is too short to hold one (then nothing paces).
     */
    static WalIndexHeader of(FileChannel shm) {
        try {
            if (shm.size() < MAPPED_BYTES) {
                return null;
            }
            MappedByteBuffer header = shm.map(FileChannel.MapMode.READ_ONLY, 0, MAPPED_BYTES);
            header.order(ByteOrder.nativeOrder());
            return new WalIndexHeader(header);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Frames the WAL holds since it last restarted; -1 while the header is unset. */
    long frames() {
        if (shm.get(IS_INIT) == 0) {
            return -1;
        }
        return Integer.toUnsignedLong(shm.getInt(MX_FRAME));
    }

    /** Frames in the WAL that no checkpoint has copied into the database yet; -1 while the header is unset. */
    long pendingFrames() {
        if (shm.get(IS_INIT) == 0) {
            return -1;
        }
        long frames = Integer.toUnsignedLong(shm.getInt(MX_FRAME));
        long copied = Integer.toUnsignedLong(shm.getInt(N_BACKFILL));
        return Math.max(0, frames - copied);
    }
}
