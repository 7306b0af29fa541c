package dev.poolwatch.reliability;

import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.WriteMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs in a child JVM until it is killed: the demo workload on several threads, appending the op id of every write
 * the pool acknowledged (after {@code write()} or {@code writeBatched()} returned, so after COMMIT) to a side file.
 * Arguments: database, acknowledgement file, and the write mode ({@code plain} or {@code batched}).
 */
public final class CrashVictim {
    private CrashVictim() {
    }

    public static void main(String[] args) throws Exception {
        Path db = Path.of(args[0]);
        Path acks = Path.of(args[1]);
        WriteMode mode = WriteMode.named(args[2]);
        SqlitePool pool = SqlitePool.open(SqlitePoolConfig.builder(db).name("victim").build());
        BotWorkload workload = new BotWorkload(pool, 200);
        workload.prepare();
        AtomicLong next = new AtomicLong(workload.maxOpId());
        PrintStream ackOut = new PrintStream(new FileOutputStream(acks.toFile(), true), false);
        for (int t = 0; t < 6; t++) {
            Thread worker = new Thread(() -> {
                while (true) {
                    try {
                        if (Math.random() < 0.5) {
                            workload.pointRead();
                        } else {
                            long id = next.incrementAndGet();
                            workload.write(id, mode);
                            synchronized (ackOut) {
                                ackOut.println(id);
                                ackOut.flush();
                            }
                        }
                    } catch (Exception e) {
                        System.err.println("victim operation failed: " + e);
                    }
                }
            });
            worker.start();
        }
        System.out.println("running");
        System.out.flush();
    }
}
