package dev.poolwatch.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a serving command until Ctrl-C (or a set duration), then its shutdown steps exactly once, whichever came
 * first; the JVM's shutdown hook waits for those steps so a signal never cuts a checkpoint short.
 */
final class Lifecycle {
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final Runnable shutdown;
    private final Thread hook;

    Lifecycle(Runnable shutdown) {
        this.shutdown = shutdown;
        this.hook = new Thread(() -> {
            signalled.countDown();
            stop();
        }, "poolwatch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Waits up to {@code step} for a signal; returns true if one came. */
    boolean awaitSignal(Duration step) throws InterruptedException {
        return signalled.await(step.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for Ctrl-C, or for {@code duration} when it is positive, then runs the shutdown steps. */
    void serveFor(Duration duration) throws InterruptedException {
        awaitSignal(duration.isZero() || duration.isNegative() ? Duration.ofDays(365_000) : duration);
        stop();
    }

    /** Runs the shutdown steps once; later callers wait for them to finish. */
    void stop() {
        if (stopping.compareAndSet(false, true)) {
            try {
                shutdown.run();
            } finally {
                stopped.countDown();
                if (Thread.currentThread() != hook) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // The JVM is already shutting down; the hook is running and will find us done.
                    }
                }
            }
        } else {
            try {
                stopped.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
