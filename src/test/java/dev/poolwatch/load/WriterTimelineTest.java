package dev.poolwatch.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.poolwatch.pool.Role;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriterTimelineTest {

    private final AtomicLong now = new AtomicLong();
    private final WriterTimeline timeline = new WriterTimeline(16, now::get);

    private void hold(long acquiredAt, long waited, long releasedAt) {
        now.set(acquiredAt);
        timeline.acquired(Role.WRITER, waited);
        now.set(releasedAt);
        timeline.released(Role.WRITER, releasedAt - acquiredAt);
    }

    @Test
    void splitsTheWritersTimeIntoHeldHandOverAndIdle() {
        hold(0, 0, 60);
        // Free 40 ns, of which the next holder had waited 30 (asked at 70): 30 hand-over, 10 idle.
        hold(100, 30, 160);
        // Free 40 ns, the next holder waited longer than that: all 40 hand-over.
        hold(200, 500, 260);
        WriterTimeline.Holds h = timeline.holds(0);
        assertThat(h.count()).isEqualTo(3);
        assertThat(h.heldShare()).isCloseTo(180 / 260.0, within(1e-9));
        assertThat(h.handOverShare()).isCloseTo(70 / 260.0, within(1e-9));
        assertThat(h.idleShare()).isCloseTo(10 / 260.0, within(1e-9));
        assertThat(h.holdP50()).isEqualTo(60);
        assertThat(h.gapP50()).isEqualTo(40);
        assertThat(h.waitP99()).isEqualTo(500);
    }

    @Test
    void leavesOutBorrowsBeforeTheMeasuredWindowAndReadersBorrows() {
        hold(0, 0, 1_000);
        now.set(1_100);
        timeline.acquired(Role.READER, 5);
        timeline.released(Role.READER, 5);
        hold(2_000, 0, 2_010);
        hold(2_020, 0, 2_030);
        WriterTimeline.Holds h = timeline.holds(1_500);
        assertThat(h.count()).isEqualTo(2);
        assertThat(h.heldShare()).isCloseTo(20 / 30.0, within(1e-9));
        assertThat(h.idleShare()).isCloseTo(10 / 30.0, within(1e-9));
        assertThat(timeline.holds(2_010)).as("one borrow has no gap to measure").isNull();
    }

    @Test
    void batchesPairEachCommitWithTheTransactionReportedJustBeforeIt() {
        now.set(50);
        timeline.transactionEnded(true, 40);
        timeline.batchCommitted(1, 5);
        now.set(1_000);
        timeline.transactionEnded(true, 300);
        timeline.batchCommitted(20, 50);
        now.set(1_500);
        timeline.transactionEnded(true, 100);
        timeline.batchCommitted(1, 20);
        WriterTimeline.Batches b = timeline.batches(500, 2_500);
        assertThat(b.count()).as("the batch that ended before the window is left out").isEqualTo(2);
        assertThat(b.busyShare()).isCloseTo(400 / 2_000.0, within(1e-9));
        assertThat(b.meanSize()).isCloseTo(10.5, within(1e-9));
        assertThat(b.shareOfOne()).isCloseTo(0.5, within(1e-9));
        assertThat(timeline.batches(1_600, 2_500)).isNull();
    }
}
