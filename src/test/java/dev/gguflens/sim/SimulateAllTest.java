package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.testing.GeneratedModel;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several plans measured in one run ({@link ErrorEngine#simulateAll}) share the reading and decoding of each
 * tensor, and each plan's figures are still exactly those of a run of its own; a plan that cannot be measured
 * fails alone.
 */
class SimulateAllTest {
    private static final Path F16 = TestFiles.testdata("tiny-gqa-f16.gguf");

    /** Every file type llama-quantize accepts for the file with {@code imatrix}. */
    private static List<Plan> everyFileType(GgufFile f, ImatrixMode imatrix) throws Exception {
        List<Plan> plans = new ArrayList<>();
        for (LlamaFileType t : LlamaFileType.current()) {
            Plan p = Planner.plan(f, QuantizeOptions.of(t).withImatrix(imatrix));
            if (p.ok()) {
                plans.add(p);
            }
        }
        return plans;
    }

    private static void assertSameFigures(SimulationResult alone, SimulationResult together) {
        String what = alone.plan().ftype().toString();
        assertEquals(alone.tensors(), together.tensors(), what);
        assertEquals(alone.model(), together.model(), what);
        assertEquals(alone.byRole(), together.byRole(), what);
        assertEquals(alone.byLayer(), together.byLayer(), what);
        assertEquals(alone.sampling(), together.sampling(), what);
    }

    @Test
    void everyPlanMeasuresWhatItMeasuresAloneWithAndWithoutImatrix() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            ImatrixMode im = new ImatrixMode.FromFile(ImatrixFile.read(TestFiles.testdata("imatrix-tiny-gqa.gguf")));
            List<Plan> plans = new ArrayList<>(everyFileType(f, ImatrixMode.NONE));
            int plain = plans.size();
            plans.addAll(everyFileType(f, im));
            assertTrue(plain >= 25 && plans.size() > plain + 25, plain + " and " + (plans.size() - plain) + " plans");
            PipelineSettings pipeline = new PipelineSettings(2, 4096);
            for (Sampling sampling : new Sampling[] {null, new Sampling(0.3, 11)}) {
                SimulationSettings settings = new SimulationSettings(pipeline, sampling);
                List<ErrorEngine.Outcome> together = ErrorEngine.simulateAll(f, plans, settings, ProgressListener.NONE, Cancellation.none());
                assertEquals(plans.size(), together.size());
                for (int k = 0; k < plans.size(); k++) {
                    SimulationResult alone = ErrorEngine.simulate(f, plans.get(k), settings, ProgressListener.NONE, Cancellation.none());
                    assertNull(together.get(k).failure());
                    assertSameFigures(alone, together.get(k).result());
                }
            }
        }
    }

    @Test
    void eachTensorIsReadOncePerThreadForAllPlans() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            List<Plan> plans = everyFileType(f, ImatrixMode.NONE);
            long[] totals = new long[2];
            ProgressListener listener = new ProgressListener() {
                @Override
                public void chunkDone(Progress p) {
                    totals[0] = p.bytesTotal();
                }

                @Override
                public void tensorDone(Progress p) {
                    totals[1] = p.tensorsDone();
                }
            };
            long fileTensorBytes = f.tensors().stream().mapToLong(TensorInfo::bytes).sum();
            ErrorEngine.simulateAll(f, plans, new SimulationSettings(new PipelineSettings(1, 4096), null), listener, Cancellation.none());
            assertEquals(fileTensorBytes, totals[0], "one thread: the bytes of every tensor, once, for " + plans.size() + " plans");
            assertEquals(f.tensors().size(), totals[1]);
            // With two threads a tensor's encodings are shared out over two jobs, each reading the tensor.
            ErrorEngine.simulateAll(f, plans, new SimulationSettings(new PipelineSettings(2, 4096), null), listener, Cancellation.none());
            assertTrue(totals[0] > fileTensorBytes && totals[0] <= 2 * fileTensorBytes, totals[0] + " bytes");
            assertEquals(f.tensors().size(), totals[1]);
        }
    }

    @Test
    void aPlanLlamaQuantizeCannotFinishFailsAloneWithItsOwnMessage(@TempDir Path tmp) throws Exception {
        Path in = GeneratedModel.of(256, 512, 256, 2, GgmlType.F32)
                .withPlant((t, i, v) -> t.equals("blk.1.attn_v.weight") && i == 40_000 ? Float.NEGATIVE_INFINITY : v)
                .write(tmp.resolve("m.gguf"));
        try (GgufFile f = GgufReader.open(in)) {
            List<Plan> plans = new ArrayList<>();
            for (LlamaFileType t : List.of(LlamaFileType.ALL_F32, LlamaFileType.MOSTLY_IQ3_S, LlamaFileType.MOSTLY_Q4_K_M,
                    LlamaFileType.MOSTLY_Q8_0)) {
                plans.add(Planner.plan(f, QuantizeOptions.of(t).withPure(true)));
            }
            SimulationSettings settings = new SimulationSettings(new PipelineSettings(2, 4096), null);
            List<ErrorEngine.Outcome> together = ErrorEngine.simulateAll(f, plans, settings, ProgressListener.NONE, Cancellation.none());
            int failed = 0;
            for (int k = 0; k < plans.size(); k++) {
                String what = plans.get(k).ftype().toString();
                try {
                    SimulationResult alone = ErrorEngine.simulate(f, plans.get(k), settings, ProgressListener.NONE, Cancellation.none());
                    assertNull(together.get(k).failure(), what);
                    assertSameFigures(alone, together.get(k).result());
                } catch (TensorAbortException alone) {
                    TensorAbortException failure = assertInstanceOf(TensorAbortException.class, together.get(k).failure(), what);
                    assertEquals(alone.getMessage(), failure.getMessage(), what);
                    assertEquals("blk.1.attn_v.weight", failure.tensor(), what);
                    failed++;
                }
            }
            assertInstanceOf(TensorAbortException.class, together.get(1).failure(), "IQ3_S aborts on the infinity");
            assertNotNull(together.get(0).result(), "F32 keeps it");
            assertTrue(failed < plans.size());
        }
    }

    @Test
    void aPlanGguflensCannotEncodeFailsAlone() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            Plan plain = Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
            Plan assumed = Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withImatrix(ImatrixMode.ASSUMED));
            SimulationSettings settings = new SimulationSettings(new PipelineSettings(2, 4096), null);
            List<ErrorEngine.Outcome> together = ErrorEngine.simulateAll(f, List.of(assumed, plain), settings, ProgressListener.NONE,
                    Cancellation.none());
            UnsupportedOperationException e = assertInstanceOf(UnsupportedOperationException.class, together.get(0).failure());
            assertTrue(e.getMessage().startsWith("an assumed importance matrix (--assume-imatrix) has no values"), e.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> together.get(0).get());
            assertSameFigures(ErrorEngine.simulate(f, plain, settings, ProgressListener.NONE, Cancellation.none()), together.get(1).get());
        }
    }

    /** {@code stats} with the percentiles and their intervals set aside: what a run without histograms measures. */
    private static ErrorStats withoutPercentiles(ErrorStats e) {
        ErrorIntervals all = e.intervals();
        ErrorIntervals sums = all == null ? null
                : new ErrorIntervals(all.sse(), all.rmse(), all.relativeRmse(), all.snrDb(), all.cosine(), null, null, null);
        return new ErrorStats(e.n(), e.measured(), e.sse(), e.rmse(), e.maxAbs(), e.sourceRms(), e.relativeRmse(), e.snrDb(),
                e.cosine(), 0, 0, 0, sums);
    }

    @Test
    void theSumsDetailMeasuresEveryFigureButThePercentilesPerTensorAndForTheModel() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            List<Plan> plans = everyFileType(f, ImatrixMode.NONE);
            PipelineSettings pipeline = new PipelineSettings(2, 4096);
            for (Sampling sampling : new Sampling[] {null, new Sampling(0.3, 11)}) {
                SimulationSettings full = new SimulationSettings(pipeline, sampling);
                List<ErrorEngine.Outcome> all = ErrorEngine.simulateAll(f, plans, full, ProgressListener.NONE, Cancellation.none());
                List<ErrorEngine.Outcome> sums = ErrorEngine.simulateAll(f, plans, full.withDetail(SimulationSettings.Detail.SUMS),
                        ProgressListener.NONE, Cancellation.none());
                int measured = 0;
                for (int k = 0; k < plans.size(); k++) {
                    SimulationResult a = all.get(k).get();
                    SimulationResult b = sums.get(k).get();
                    String what = plans.get(k).ftype() + (sampling == null ? "" : ", sampled");
                    assertEquals(withoutPercentiles(a.model()), withoutPercentiles(b.model()), what);
                    assertTrue(Double.isNaN(b.model().p50()) && Double.isNaN(b.model().p99()), what + ": " + b.model());
                    assertTrue(!a.byRole().isEmpty() && !a.byLayer().isEmpty(), what);
                    assertTrue(b.byRole().isEmpty() && b.byLayer().isEmpty(), what);
                    assertEquals(a.tensors().size(), b.tensors().size(), what);
                    for (int t = 0; t < a.tensors().size(); t++) {
                        TensorError ta = a.tensors().get(t);
                        TensorError tb = b.tensors().get(t);
                        assertEquals(ta.name(), tb.name(), what);
                        assertEquals(withoutPercentiles(ta.error()), withoutPercentiles(tb.error()), what + ", " + ta.name());
                        if (!ta.kept()) {
                            assertTrue(Double.isNaN(tb.error().p95()), what + ", " + ta.name() + ": " + tb.error());
                            measured += ta.error().p95() > 0 ? 1 : 0;
                        }
                    }
                }
                assertTrue(measured > 100, measured + " tensors converted with a loss");
            }
        }
    }

    @Test
    void aRunHoldsAsManyPlansAsTheirPoolsMemoryAllows() {
        long perPlanSampled = (1 + TensorRole.values().length + 80L) * (Sampling.GROUPS + 1) * 2048 * 8;
        assertEquals(4, ErrorEngine.plansPerRun(80, true, 36, 4 * perPlanSampled + 1), "an 80-layer model, sampled");
        assertEquals(36, ErrorEngine.plansPerRun(80, false, 36, 4 * perPlanSampled), "a full run keeps one histogram per pool");
        assertEquals(1, ErrorEngine.plansPerRun(80, true, 36, 1000), "at least one plan per run");
        assertEquals(3, ErrorEngine.plansPerRun(7, true, 3, Long.MAX_VALUE), "never more than asked");
    }
}
