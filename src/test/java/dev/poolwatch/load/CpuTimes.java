package dev.poolwatch.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time so far, from the first line of {@code /proc/stat} (in clock ticks): busy (user, nice,
 * system, irq, softirq), idle, waiting for I/O, and stolen by the hypervisor. Two samples around a cell say whether
 * its cores were busy, idle or taken away; on a shared virtual machine the stolen share is what makes rounds differ.
 */
record CpuTimes(long busy, long idle, long iowait, long steal) {

    private static final Path STAT = Path.of("/proc/stat");

    /** Now, or null where the system has no {@code /proc/stat}. */
    static CpuTimes sample() {
        try {
            return Files.isReadable(STAT) ? parse(Files.readAllLines(STAT).get(0)) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static CpuTimes parse(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].equals("cpu") || f.length < 9) {
            throw new IllegalArgumentException("not the all-CPU line of /proc/stat: " + cpuLine);
        }
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        return new CpuTimes(user + nice + system + irq + softirq, Long.parseLong(f[4]), Long.parseLong(f[5]),
                Long.parseLong(f[8]));
    }

    /** The shares of the time from {@code before} to this sample, as "busy / idle / iowait / stolen" percentages. */
    String sharesSince(CpuTimes before) {
        long b = busy - before.busy;
        long i = idle - before.idle;
        long w = iowait - before.iowait;
        long s = steal - before.steal;
        double total = b + i + w + s;
        if (total <= 0) {
            return "n/a";
        }
        return String.format(java.util.Locale.ROOT, "%.0f / %.0f / %.0f / %.0f %%", 100 * b / total, 100 * i / total,
                100 * w / total, 100 * s / total);
    }
}
