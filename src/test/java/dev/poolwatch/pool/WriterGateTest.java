package dev.poolwatch.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The writer gate's promise, shown with a clock the test moves by hand, so nothing depends on how fast threads run:
 * arrivals may take a free writer while the oldest waiter is under the bound, and never once it is past it.
 */
class WriterGateTest {

    private static final long BOUND = 1_000;

    private final AtomicLong clock = new AtomicLong();
    private final WriterGate gate = new WriterGate(BOUND, clock::get);

    private CompletableFuture<Boolean> waiterThatHoldsUntilReleased(CompletableFuture<Void> release) {
        CompletableFuture<Boolean> got = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                boolean ok = gate.acquire(TimeUnit.SECONDS.toNanos(30));
                got.complete(ok);
                release.join();
                if (ok) {
                    gate.release();
                }
            } catch (InterruptedException e) {
                got.completeExceptionally(e);
            }
        });
        t.setDaemon(true);
        t.start();
        return got;
    }

    @Test
    void arrivalTakesAFreeWriterWhileTheOldestWaiterIsUnderTheBound() throws Exception {
        assertThat(gate.tryAcquire()).isTrue();
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Boolean> waiter = waiterThatHoldsUntilReleased(release);
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting() == 1);
        clock.set(BOUND - 1);
        gate.release();
        // Either we barge in, or the woken waiter beat us to it; both are allowed under the bound.
        boolean barged = gate.tryAcquire();
        if (barged) {
            assertThat(waiter).isNotDone();
            gate.release();
        }
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
        release.complete(null);
    }

    @Test
    void waiterPastTheBoundIsHandedTheWriterAndNoArrivalCanPassIt() throws Exception {
        assertThat(gate.tryAcquire()).isTrue();
        CompletableFuture<Void> release = new CompletableFuture<>();
        CompletableFuture<Boolean> waiter = waiterThatHoldsUntilReleased(release);
        await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting() == 1);
        clock.set(BOUND);
        gate.release();
        assertThat(gate.handedOff.sum()).isEqualTo(1);
        for (int i = 0; i < 1000; i++) {
            assertThat(gate.tryAcquire()).as("arrival %d passed a waiter past the bound", i).isFalse();
        }
        assertThat(waiter.get(5, TimeUnit.SECONDS)).isTrue();
        release.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(gate::tryAcquire);
        gate.release();
    }

    @Test
    void waitersAmongThemselvesAreServedInArrivalOrder() throws Exception {
        assertThat(gate.tryAcquire()).isTrue();
        StringBuffer order = new StringBuffer();
        Thread[] threads = new Thread[5];
        for (int i = 0; i < threads.length; i++) {
            int id = i;
            threads[i] = new Thread(() -> {
                try {
                    if (gate.acquire(TimeUnit.SECONDS.toNanos(30))) {
                        order.append(id);
                        gate.release();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads[i].start();
            int expected = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> gate.waiting() == expected);
        }
        clock.set(BOUND * 100);
        gate.release();
        for (Thread t : threads) {
            t.join(5000);
        }
        assertThat(order).hasToString("01234");
    }

    @Test
    void timedOutWaiterLeavesTheQueueAndTheWriterFree() throws Exception {
        WriterGate real = new WriterGate(BOUND, System::nanoTime);
        assertThat(real.tryAcquire()).isTrue();
        CompletableFuture<Boolean> got = CompletableFuture.supplyAsync(() -> {
            try {
                return real.acquire(TimeUnit.MILLISECONDS.toNanos(50));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(got.get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(real.waiting()).isZero();
        real.release();
        assertThat(real.tryAcquire()).isTrue();
    }

    @Test
    void heldByTellsTheOwningThread() {
        assertThat(gate.heldBy(Thread.currentThread())).isFalse();
        assertThat(gate.tryAcquire()).isTrue();
        assertThat(gate.heldBy(Thread.currentThread())).isTrue();
        gate.release();
        assertThat(gate.heldBy(Thread.currentThread())).isFalse();
    }
}
