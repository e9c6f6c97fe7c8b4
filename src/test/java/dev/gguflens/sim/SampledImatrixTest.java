package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.testing.TestFiles;
import org.junit.jupiter.api.Test;

/**
 * A sampled run with an importance matrix samples whole rows, so a sampled row has exactly the error it has in the
 * full run: with every unit taken ({@code --sample 1}) each tensor's Σd² equals the full run's up to the order of the
 * additions, and its max|d| exactly. Q4_0 is the test: its weighted encoder takes a term from the whole row, so units
 * of part of a row would encode other bytes and miss by far more than rounding.
 */
class SampledImatrixTest {
    @Test
    void aSampleOfEveryRowMeasuresWhatTheFullRunMeasures() throws Exception {
        try (GgufFile f = GgufReader.open(TestFiles.testdata("tiny-gqa-f16.gguf"))) {
            ImatrixMode m = new ImatrixMode.FromFile(ImatrixFile.read(TestFiles.testdata("imatrix-tiny-gqa.gguf")));
            Plan plan = Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_0).withImatrix(m));
            PipelineSettings pipeline = new PipelineSettings(2, 4096);
            SimulationResult full = ErrorEngine.simulate(f, plan, new SimulationSettings(pipeline, null), ProgressListener.NONE,
                    Cancellation.none());
            SimulationResult sampled = ErrorEngine.simulate(f, plan, new SimulationSettings(pipeline, new Sampling(1.0, 7)),
                    ProgressListener.NONE, Cancellation.none());
            int compared = 0;
            for (int i = 0; i < full.tensors().size(); i++) {
                TensorError a = full.tensors().get(i);
                TensorError b = sampled.tensors().get(i);
                if (a.kept()) {
                    continue;
                }
                assertEquals(a.error().maxAbs(), b.error().maxAbs(), 0.0, a.name());
                assertEquals(a.error().sse(), b.error().sse(), 1e-9 * a.error().sse(), a.name());
                assertEquals(a.error().n(), b.error().measured(), a.name() + ": every value measured");
                compared++;
            }
            assertEquals(16, compared, "tiny-gqa converts 16 tensors");
            assertTrue(full.model().sse() > 0);
        }
    }
}
