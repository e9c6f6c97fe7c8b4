package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link RowPipeline}: results in chunk order, and a run that stops early neither starts the chunks still queued
 * nor interrupts the one a worker is on (workers read the file through a channel an interrupt would close).
 */
class RowPipelineTest {
    private static final List<RowPipeline.Job> JOBS = List.of(new RowPipeline.Job(4, 10, 8), new RowPipeline.Job(2, 3, 2),
            new RowPipeline.Job(8, 0, 8), new RowPipeline.Job(1, 5, 100));

    @Test
    void resultsComeInChunkOrderAcrossJobs() {
        List<String> seen = new ArrayList<>();
        try (RowPipeline p = new RowPipeline(PipelineSettings.withThreads(3), Cancellation.none())) {
            RowPipeline.Results<String> r = p.run(JOBS, c -> c.job() + ":" + c.index() + ":" + c.firstRow() + "+" + c.rows());
            while (r.hasNext()) {
                seen.add(r.next().value());
            }
        }
        // 10 rows of 4 in chunks of 2 rows, 3 rows of 2 in chunks of 1 row, no chunk for the empty job, one of 5 rows
        assertEquals(List.of("0:0:0+2", "0:1:2+2", "0:2:4+2", "0:3:6+2", "0:4:8+2", "1:0:0+1", "1:1:1+1", "1:2:2+1",
                "3:0:0+5"), seen);
    }

    @Test
    void aLeadInDealsOutTheFirstChunksOfItsJobsRoundRobinThenGoesOnInJobOrder() {
        // job 0: 10 chunks, job 1: 3, job 2: none, job 3: 1; jobs 3 and 0 lead, in that order
        List<String> seen = submitted(3, List.of(new RowPipeline.Job(4, 20, 8), new RowPipeline.Job(2, 3, 2),
                new RowPipeline.Job(8, 0, 8), new RowPipeline.Job(1, 5, 100)), List.of(3, 0));
        assertEquals(4, RowPipeline.LEAD_IN_CHUNKS, "the expected order below assumes four chunks per lead-in job");
        assertEquals(List.of("3:0.", "0:0", "0:1", "0:2", "0:3", "0:4", "0:5", "0:6", "0:7", "0:8", "0:9.", "1:0", "1:1",
                "1:2."), seen);
    }

    @Test
    void leadInJobsTakeTurnsForTheirFirstChunks() {
        List<String> seen = submitted(2, List.of(new RowPipeline.Job(1, 3, 1), new RowPipeline.Job(1, 2, 1),
                new RowPipeline.Job(1, 6, 1)), List.of(0, 2));
        // jobs 0 and 2 alternate for four rounds (job 0 runs out after three), then job 1, then the rest of job 2
        assertEquals(List.of("0:0", "2:0", "0:1", "2:1", "0:2.", "2:2", "2:3", "1:0", "1:1.", "2:4", "2:5."), seen);
    }

    /** The chunks of a run with a lead-in as the caller receives them: {@code job:index}, and a dot after a job's last. */
    private static List<String> submitted(int threads, List<RowPipeline.Job> jobs, List<Integer> leadIn) {
        List<String> seen = new ArrayList<>();
        try (RowPipeline p = new RowPipeline(PipelineSettings.withThreads(threads), Cancellation.none())) {
            RowPipeline.Results<String> r = p.run(jobs, leadIn, c -> null, (c, ignored) -> c.job() + ":" + c.index() + (c.last() ? "." : ""));
            while (r.hasNext()) {
                seen.add(r.next().value());
            }
        }
        return seen;
    }

    @Test
    void aLeadInMustNameEachJobOnce() {
        try (RowPipeline p = new RowPipeline(PipelineSettings.withThreads(1), Cancellation.none())) {
            assertThrows(IllegalArgumentException.class, () -> p.run(JOBS, List.of(4), c -> null, (c, d) -> 0));
            assertThrows(IllegalArgumentException.class, () -> p.run(JOBS, List.of(-1), c -> null, (c, d) -> 0));
            assertThrows(IllegalArgumentException.class, () -> p.run(JOBS, List.of(1, 1), c -> null, (c, d) -> 0));
        }
    }

    @Test
    void aFailureStopsTheRunWithoutInterruptingTheChunkInProgress() throws Exception {
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch failed = new CountDownLatch(1);
        AtomicBoolean slowInterrupted = new AtomicBoolean();
        CountDownLatch slowDone = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        IllegalStateException boom = new IllegalStateException("boom");
        try (RowPipeline p = new RowPipeline(PipelineSettings.withThreads(2), Cancellation.none())) {
            RowPipeline.Results<Integer> r = p.run(List.of(new RowPipeline.Job(1, 1000, 1)), c -> {
                started.incrementAndGet();
                if (c.index() == 0) {
                    throw boom;
                }
                if (c.index() == 1) {
                    slowStarted.countDown();
                    try {
                        failed.await(10, TimeUnit.SECONDS);
                        Thread.sleep(100); // still working when the run is closed
                    } catch (InterruptedException e) {
                        slowInterrupted.set(true);
                    }
                    slowInterrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
                    slowDone.countDown();
                }
                return (int) c.index();
            });
            assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
            assertSame(boom, assertThrows(IllegalStateException.class, r::next));
            failed.countDown();
        }
        assertTrue(slowDone.await(10, TimeUnit.SECONDS), "the chunk in progress finishes");
        assertFalse(slowInterrupted.get(), "and is never interrupted");
        Thread.sleep(200);
        assertTrue(started.get() <= 4, "no chunk beyond the window was started: " + started.get());
    }

    @Test
    void closingDropsTheChunksNotStarted() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (RowPipeline p = new RowPipeline(PipelineSettings.withThreads(1), Cancellation.none())) {
            RowPipeline.Results<Integer> r = p.run(List.of(new RowPipeline.Job(1, 100, 1)), c -> {
                started.incrementAndGet();
                firstStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new AssertionError("interrupted", e);
                }
                return 0;
            });
            assertTrue(r.hasNext());
            // one worker, a window of two chunks: the first runs, the second waits in the queue
            assertTrue(firstStarted.await(10, TimeUnit.SECONDS));
        }
        release.countDown();
        Thread.sleep(300);
        assertEquals(1, started.get(), "the queued chunk never ran");
    }
}
