package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.OracleOptions;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Fidelity with an importance matrix: for every tensor of every oracle run with {@code options=imatrix}
 * (sets imatrix and llama2c), the engine's Σd² and max|d| with the run's imatrix file equal
 * expected-errors.tsv to 1e-9 relative (exact zeros where the oracle has 0); and {@code simulate --error
 * --imatrix --json} reports the same figures for a few of them.
 */
class OracleImatrixErrorsTest {
    private static final double RELATIVE = 1e-9;

    private record Expected(String tensor, long n, double sse, double maxAbs) {
    }

    private static Map<OracleOptions, List<Expected>> expected(Path oracle) throws Exception {
        Map<OracleOptions, List<Expected>> runs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-errors.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t", -1);
            OracleOptions run = OracleOptions.of(c);
            if (run.imatrix()) {
                runs.computeIfAbsent(run, r -> new ArrayList<>())
                        .add(new Expected(c[6], Long.parseLong(c[7]), Double.parseDouble(c[8]), Double.parseDouble(c[9])));
            }
        }
        return runs;
    }

    /** Chunks of 4,096 values: the weighted rows are cut into several chunks per tensor, each a whole number of rows. */
    @Test
    void everyTensorOfEveryImatrixRunMatchesTheOracle() throws Exception {
        Path oracle = TestFiles.oracle();
        Map<OracleOptions, List<Expected>> runs = expected(oracle);
        Map<String, ImatrixFile> imatrices = new LinkedHashMap<>();
        int rows = 0;
        List<String> bad = new ArrayList<>();
        for (Map.Entry<OracleOptions, List<Expected>> e : runs.entrySet()) {
            OracleOptions run = e.getKey();
            ImatrixFile m = imatrices.computeIfAbsent(run.model(), model -> read(oracle.resolve("files/imatrix-" + model + ".gguf")));
            try (GgufFile f = GgufReader.open(run.sourceFile(oracle))) {
                Plan plan = Planner.plan(f, QuantizeOptions.of(run.fileType()).withImatrix(new ImatrixMode.FromFile(m)));
                assertTrue(plan.ok(), run + ": " + plan.message());
                SimulationResult result = ErrorEngine.simulate(f, plan, new SimulationSettings(new PipelineSettings(2, 4096), null),
                        ProgressListener.NONE, Cancellation.none());
                List<Expected> want = e.getValue();
                assertEquals(want.size(), result.tensors().size(), run + ": tensor count");
                for (int i = 0; i < want.size(); i++) {
                    Expected x = want.get(i);
                    TensorError got = result.tensors().get(i);
                    assertEquals(x.tensor(), got.name(), run + ": tensor order");
                    assertEquals(x.n(), got.error().n(), run + " " + x.tensor() + ": n");
                    rows++;
                    if (!close(x.sse(), got.error().sse()) || !close(x.maxAbs(), got.error().maxAbs())) {
                        bad.add(run + " " + x.tensor() + " (" + got.targetType() + "): sse " + got.error().sse() + " vs " + x.sse()
                                + ", maxAbs " + got.error().maxAbs() + " vs " + x.maxAbs());
                    }
                }
            }
        }
        System.out.printf("expected-errors.tsv, imatrix runs: %d runs, %d tensor rows, %d outside 1e-9%n", runs.size(), rows, bad.size());
        assertTrue(bad.isEmpty(), bad.size() + " rows differ, e.g.\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        // 105 ok runs in the imatrix set and 34 in llama2c's imatrix rows (run-counts.tsv), 21 tensors each.
        assertEquals(105 + 34, runs.size());
        assertEquals((105 + 34) * 21, rows);
    }

    /** The command line reports the same figures: simulate --error --imatrix --json, per tensor. */
    @Test
    void simulateErrorWithImatrixReportsTheOraclesFigures() throws Exception {
        Path oracle = TestFiles.oracle();
        Map<OracleOptions, List<Expected>> runs = expected(oracle);
        ObjectMapper json = new ObjectMapper();
        int checked = 0;
        for (Map.Entry<OracleOptions, List<Expected>> e : runs.entrySet()) {
            OracleOptions run = e.getKey();
            LlamaFileType t = run.fileType();
            boolean pick = run.sourceType().equals("F16") && (t == LlamaFileType.MOSTLY_Q4_K_M || t == LlamaFileType.MOSTLY_IQ2_XXS
                    || t == LlamaFileType.MOSTLY_Q4_0 || t == LlamaFileType.MOSTLY_IQ3_M)
                    || run.model().equals("tiny-288") && t == LlamaFileType.MOSTLY_IQ1_M;
            if (!pick) {
                continue;
            }
            CommandRun r = CommandRun.of("simulate", run.sourceFile(oracle).toString(), "--to", run.ftype(), "--error", "--json",
                    "--imatrix", oracle.resolve("files/imatrix-" + run.model() + ".gguf").toString());
            assertEquals(0, r.exitCode(), run + ": " + r);
            JsonNode result = json.readTree(r.out()); // one file type: its fields at the top level
            JsonNode tensors = result.get("tensors");
            for (int i = 0; i < e.getValue().size(); i++) {
                Expected x = e.getValue().get(i);
                JsonNode err = tensors.get(i).get("error");
                assertEquals(x.tensor(), tensors.get(i).get("name").asText());
                assertTrue(close(x.sse(), err.get("sse").asDouble()), run + " " + x.tensor() + ": sse " + err.get("sse") + " vs " + x.sse());
                assertTrue(close(x.maxAbs(), err.get("maxAbs").asDouble()), run + " " + x.tensor() + ": maxAbs");
            }
            // llama-imatrix never collects token_embd.weight: where it is converted, it goes without weights.
            JsonNode un = result.get("unweightedTensors");
            assertTrue(un.isEmpty() || un.size() == 1 && un.get(0).get("name").asText().equals("token_embd.weight"), un.toString());
            checked++;
        }
        assertEquals(5, checked);
    }

    private static ImatrixFile read(Path p) {
        try {
            return ImatrixFile.read(p);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean close(double want, double got) {
        if (want == 0) {
            return got == 0;
        }
        return Math.abs(got - want) <= RELATIVE * Math.abs(want);
    }
}
