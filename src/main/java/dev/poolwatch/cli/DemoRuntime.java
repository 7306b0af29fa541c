package dev.poolwatch.cli;

import dev.poolwatch.load.BotWorkload;
import dev.poolwatch.load.DemoFaultRoutes;
import dev.poolwatch.load.SteadyLoad;
import dev.poolwatch.pool.CheckpointMode;
import dev.poolwatch.pool.SqlitePool;
import dev.poolwatch.pool.SqlitePoolConfig;
import dev.poolwatch.recovery.RecoveryRoutes;
import dev.poolwatch.recovery.RecoverySettings;
import dev.poolwatch.server.PoolWatch;
import dev.poolwatch.store.EventStore;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code demo} and {@code stack} run: the demo database under steady load, the exporter with the recovery
 * endpoint and fault injection. {@link #close()} stops the load, the exporter, checkpoints the WAL and closes the pool.
 */
final class DemoRuntime implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DemoRuntime.class);

    final SqlitePool pool;
    final PoolWatch watch;
    final SteadyLoad load;

    private DemoRuntime(SqlitePool pool, PoolWatch watch, SteadyLoad load) {
        this.pool = pool;
        this.watch = watch;
        this.load = load;
    }

    /** Load shape of the demo. */
    record LoadShape(int workers, double rate, int readPercent) {
    }

    /**
     * The demo pool: the library's defaults, so what the demo shows (a leak reported after 60 s, as the leak
     * runbook says) is what a user's own pool does, except leakReclaimTimeout: 75 s lets the reclaim_leaks action
     * (the only thing that reclaims) take back what the leak fault holds, while the fault is still on.
     */
    static SqlitePoolConfig.Builder poolConfig(Path dataDir, String name) {
        return SqlitePoolConfig.builder(dataDir.resolve(name + ".db")).name(name)
                .leakReclaimTimeout(java.time.Duration.ofSeconds(75));
    }

    static DemoRuntime start(Path dataDir, PoolWatch.Builder exporter, RecoverySettings recovery, LoadShape shape)
            throws Exception {
        SqlitePool pool = SqlitePool.open(poolConfig(dataDir, "demo").build());
        try {
            BotWorkload workload = new BotWorkload(pool, 1000);
            workload.prepare();
            PoolWatch watch = exporter.pool(pool).eventStore(dataDir.resolve(EventStore.DEFAULT_FILE_NAME))
                    .extension(new RecoveryRoutes(recovery)).extension(new DemoFaultRoutes(pool)).start();
            SteadyLoad load = new SteadyLoad(workload, shape.workers(), shape.rate(), shape.readPercent(),
                    workload.maxOpId()).start();
            return new DemoRuntime(pool, watch, load);
        } catch (Exception e) {
            pool.close();
            throw e;
        }
    }

    @Override
    public void close() {
        load.close();
        watch.close();
        try {
            pool.checkpoint(CheckpointMode.TRUNCATE);
        } catch (Exception e) {
            log.warn("final checkpoint failed: {}", e.getMessage());
        }
        pool.close();
    }
}
