package dev.poolwatch.reliability;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small tmpfs mounted for one test, so a full or read-only file system can be made for real. Needs root. */
final class Tmpfs implements AutoCloseable {
    final Path dir;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts {@code sizeKib} of tmpfs on {@code dir}; skips the test, saying why, where mounting is refused. */
    static Tmpfs mount(Path dir, int sizeKib) throws IOException, InterruptedException {
        String out = run("mount", "-t", "tmpfs", "-o", "size=" + sizeKib + "k", "tmpfs", dir.toString());
        assumeTrue(out == null, "cannot mount a tmpfs here (" + out + "): this test needs root and mount rights;"
                + " it runs in CI, where both are available");
        return new Tmpfs(dir);
    }

    /**
     * Lays a read-only view over the mount, as an administrator's read-only remount would look to anything that opens
     * files from now on (files already open keep writing: Linux refuses to remount a file system read-only while
     * files are open for writing, so this is how the fault really shows up).
     */
    void readOnlyView(boolean on) throws IOException, InterruptedException {
        String out = on ? run("mount", "--bind", "-o", "ro", dir.toString(), dir.toString())
                : run("umount", "-l", dir.toString());
        if (out != null) {
            throw new IllegalStateException("read-only view " + (on ? "mount" : "umount") + " failed: " + out);
        }
    }

    /** Runs a command; null when it succeeded, its output otherwise. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        String out = run("umount", "-l", dir.toString());
        if (out != null) {
            throw new IllegalStateException("umount failed: " + out);
        }
    }
}
