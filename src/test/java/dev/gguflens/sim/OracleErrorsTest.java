package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.Planner;
import dev.gguflens.testing.OracleOptions;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fidelity: for every tensor of every oracle run without an importance matrix (sets main, pure, extra,
 * llama2c; F16, F32 and BF16 sources), the engine's Σd² and max|d| equal expected-errors.tsv, which
 * llama.cpp's own decoders and a float64 loop in element order produced, to 1e-9 relative (exact zeros
 * where the oracle has 0).
 */
class OracleErrorsTest {
    private static final double RELATIVE = 1e-9;
    private static final Set<String> SETS = Set.of("main", "pure", "extra", "llama2c");

    private record Expected(String tensor, long n, double sse, double maxAbs) {
    }

    /** The oracle's rows for every run in scope, in file order, grouped by run. */
    private static Map<OracleOptions, List<Expected>> expected(Path oracle) throws Exception {
        Map<OracleOptions, List<Expected>> runs = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-errors.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t", -1);
            OracleOptions run = OracleOptions.of(c);
            if (!SETS.contains(run.set()) || run.imatrix()) {
                continue;
            }
            runs.computeIfAbsent(run, r -> new ArrayList<>())
                    .add(new Expected(c[6], Long.parseLong(c[7]), Double.parseDouble(c[8]), Double.parseDouble(c[9])));
        }
        return runs;
    }

    /**
     * Chunks of 4,096 values: every tensor of these models spans many chunks, so the per-chunk sums and
     * their combination in chunk order are what is checked, not a single sum that happens to be in
     * element order.
     */
    @Test
    void everyTensorOfEveryRunMatchesTheOracleWithSmallChunks() throws Exception {
        checkAll(new PipelineSettings(2, 4096));
    }

    /**
     * With the default chunks every tensor of these models (at most 131,072 values) is one chunk, summed in
     * element order from zero as the oracle sums: then the sums are not just close but the same doubles.
     */
    @Test
    void oneChunkPerTensorGivesTheOraclesVeryDoubles() throws Exception {
        Path oracle = TestFiles.oracle();
        int rows = 0;
        for (Map.Entry<OracleOptions, List<Expected>> e : expected(oracle).entrySet()) {
            OracleOptions run = e.getKey();
            if (!run.set().equals("main") || !run.sourceType().equals("F16")) {
                continue;
            }
            try (GgufFile f = GgufReader.open(run.sourceFile(oracle))) {
                Plan plan = Planner.plan(f, run.quantizeOptions());
                SimulationResult result = ErrorEngine.simulate(f, plan, new SimulationSettings(new PipelineSettings(2,
                        PipelineSettings.DEFAULT_CHUNK_ELEMENTS), null), ProgressListener.NONE, Cancellation.none());
                for (int i = 0; i < e.getValue().size(); i++) {
                    Expected x = e.getValue().get(i);
                    ErrorStats got = result.tensors().get(i).error();
                    assertEquals(x.sse(), got.sse(), 0.0, run + " " + x.tensor());
                    assertEquals(x.maxAbs(), got.maxAbs(), 0.0, run + " " + x.tensor());
                    rows++;
                }
            }
        }
        assertEquals(26 * 21, rows, "main set, F16 source: 26 ok runs");
    }

    private static void checkAll(PipelineSettings settings) throws Exception {
        Path oracle = TestFiles.oracle();
        Map<OracleOptions, List<Expected>> runs = expected(oracle);
        int rows = 0;
        int identical = 0;
        int zeros = 0;
        List<String> bad = new ArrayList<>();
        Map<Path, GgufFile> open = new LinkedHashMap<>();
        try {
            for (Map.Entry<OracleOptions, List<Expected>> e : runs.entrySet()) {
                OracleOptions run = e.getKey();
                GgufFile f = open.get(run.sourceFile(oracle));
                if (f == null) {
                    f = GgufReader.open(run.sourceFile(oracle));
                    open.put(run.sourceFile(oracle), f);
                }
                Plan plan = Planner.plan(f, run.quantizeOptions());
                assertTrue(plan.ok(), run + ": " + plan.message());
                SimulationResult result = ErrorEngine.simulate(f, plan, new SimulationSettings(settings, null),
                        ProgressListener.NONE, Cancellation.none());
                List<Expected> want = e.getValue();
                assertEquals(want.size(), result.tensors().size(), run + ": tensor count");
                for (int i = 0; i < want.size(); i++) {
                    Expected x = want.get(i);
                    TensorError got = result.tensors().get(i);
                    assertEquals(x.tensor(), got.name(), run + ": tensor order");
                    assertEquals(x.n(), got.error().n(), run + " " + x.tensor() + ": n");
                    rows++;
                    boolean ok = close(x.sse(), got.error().sse()) && close(x.maxAbs(), got.error().maxAbs());
                    if (!ok) {
                        bad.add(run + " " + x.tensor() + ": sse " + got.error().sse() + " vs " + x.sse()
                                + ", maxAbs " + got.error().maxAbs() + " vs " + x.maxAbs());
                    }
                    if (x.sse() == got.error().sse() && x.maxAbs() == got.error().maxAbs()) {
                        identical++;
                    }
                    if (x.sse() == 0) {
                        zeros++;
                    }
                }
            }
        } finally {
            open.values().forEach(GgufFile::close);
        }
        System.out.printf("expected-errors.tsv: %d runs, %d tensor rows checked (%d with zero error), %d bit-identical, "
                + "%d outside 1e-9%n", runs.size(), rows, zeros, identical, bad.size());
        assertTrue(bad.isEmpty(), bad.size() + " rows differ, e.g.\n" + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        // 524 ok runs without an imatrix (run-counts.tsv), 21 tensors each.
        assertEquals(524, runs.size());
        assertEquals(524 * 21, rows);
    }

    /** Equal to 1e-9 relative; an oracle zero must be an exact zero. */
    private static boolean close(double want, double got) {
        if (want == 0) {
            return got == 0;
        }
        return Math.abs(got - want) <= RELATIVE * Math.abs(want);
    }
}
