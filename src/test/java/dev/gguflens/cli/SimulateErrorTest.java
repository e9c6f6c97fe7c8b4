package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static dev.gguflens.cli.SimulateRuns.Q4KM;
import static dev.gguflens.cli.SimulateRuns.json;
import static dev.gguflens.cli.SimulateRuns.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gguflens.testing.CommandRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code gguflens simulate --error}: the measured errors through the command line, against llama.cpp's figures. */
class SimulateErrorTest {

    /**
     * expected-errors.tsv, rows "main tiny-gqa F16 MOSTLY_Q4_K_M 15 default": tensor -> {sse, max_abs}, as llama.cpp's
     * outputs give them (float64), copied here so the test runs without the oracle folder.
     */
    static final Map<String, double[]> ORACLE_Q4_K_M = new LinkedHashMap<>();

    static {
        ORACLE_Q4_K_M.put("output.weight", new double[] {0.026108906547491983, 0.018035888671875});
        ORACLE_Q4_K_M.put("output_norm.weight", new double[] {0, 0});
        ORACLE_Q4_K_M.put("token_embd.weight", new double[] {0.33068061771779256, 0.027923583984375});
        ORACLE_Q4_K_M.put("blk.0.attn_k.weight", new double[] {0.078814881751721799, 0.015401840209960938});
        ORACLE_Q4_K_M.put("blk.0.attn_norm.weight", new double[] {0, 0});
        ORACLE_Q4_K_M.put("blk.0.attn_output.weight", new double[] {0.15971915332051623, 0.026801109313964844});
        ORACLE_Q4_K_M.put("blk.0.attn_q.weight", new double[] {0.17313054780612092, 0.023784637451171875});
        ORACLE_Q4_K_M.put("blk.0.attn_v.weight", new double[] {0.088738546412535868, 0.020990371704101562});
        ORACLE_Q4_K_M.put("blk.0.ffn_down.weight", new double[] {0.33994549378654781, 0.02745819091796875});
        ORACLE_Q4_K_M.put("blk.0.ffn_gate.weight", new double[] {0.3640329455051976, 0.031450271606445312});
        ORACLE_Q4_K_M.put("blk.0.ffn_norm.weight", new double[] {0, 0});
        ORACLE_Q4_K_M.put("blk.0.ffn_up.weight", new double[] {0.3344903124800247, 0.022738456726074219});
        ORACLE_Q4_K_M.put("blk.1.attn_k.weight", new double[] {0.078653013543078742, 0.0210113525390625});
        ORACLE_Q4_K_M.put("blk.1.attn_norm.weight", new double[] {0, 0});
        ORACLE_Q4_K_M.put("blk.1.attn_output.weight", new double[] {0.18175081895212131, 0.029070377349853516});
        ORACLE_Q4_K_M.put("blk.1.attn_q.weight", new double[] {0.18745352290638806, 0.031186103820800781});
        ORACLE_Q4_K_M.put("blk.1.attn_v.weight", new double[] {0.0060066821351441035, 0.01019287109375});
        ORACLE_Q4_K_M.put("blk.1.ffn_down.weight", new double[] {0.028877624038042171, 0.013671875});
        ORACLE_Q4_K_M.put("blk.1.ffn_gate.weight", new double[] {0.36257953825587563, 0.0332489013671875});
        ORACLE_Q4_K_M.put("blk.1.ffn_norm.weight", new double[] {0, 0});
        ORACLE_Q4_K_M.put("blk.1.ffn_up.weight", new double[] {0.33392632952389789, 0.023161888122558594});
    }

    /** The parameter count of tiny-gqa (SimulateSizesTest, llama.cpp's log). */
    static final long PARAMETERS = 1_443_072L;

    private static void assertRelative(double expected, double actual, String what) {
        if (expected == 0) {
            assertEquals(0.0, actual, what);
        } else {
            assertEquals(expected, actual, Math.abs(expected) * 1e-9, what);
        }
    }

    @Test
    void everyTensorsSseAndMaxAbsAreLlamaCppsAndKeptTensorsLoseNothing() throws Exception {
        JsonNode r = json(F16, "--to", "Q4_K_M", "--error");
        assertEquals(21, r.get("tensors").size());
        double total = 0;
        for (JsonNode t : r.get("tensors")) {
            String name = t.get("name").asText();
            double[] expected = ORACLE_Q4_K_M.get(name);
            JsonNode e = t.get("error");
            assertRelative(expected[0], e.get("sse").asDouble(), name + " sse");
            assertRelative(expected[1], e.get("maxAbs").asDouble(), name + " maxAbs");
            assertEquals(t.get("shape").get(0).asLong() * (t.get("shape").size() > 1 ? t.get("shape").get(1).asLong() : 1),
                    e.get("n").asLong(), name + " n");
            if (t.get("sourceType").asText().equals(t.get("targetType").asText())) {
                assertEquals(0.0, e.get("rmse").asDouble(), name);
                assertEquals(0.0, e.get("relativeRmse").asDouble(), name);
                assertEquals("Infinity", e.get("snrDb").asText(), name);
                assertEquals(1.0, e.get("cosine").asDouble(), name);
                assertEquals(0.0, e.get("p99").asDouble(), name);
            } else {
                double rmse = Math.sqrt(expected[0] / e.get("n").asLong());
                assertRelative(rmse, e.get("rmse").asDouble(), name + " rmse = sqrt(sse / n)");
                assertTrue(e.get("p50").asDouble() <= e.get("p95").asDouble() && e.get("p95").asDouble() <= e.get("p99").asDouble()
                        && e.get("p99").asDouble() <= expected[1] * 1.01, name + " percentiles ordered, under the maximum");
            }
            assertFalse(e.has("intervals"), "a full run has no intervals");
            total += expected[0];
        }
        JsonNode model = r.get("error");
        assertEquals(PARAMETERS, model.get("n").asLong());
        assertRelative(total, model.get("sse").asDouble(), "model sse = the tensors' sum");
        assertRelative(0.0332489013671875, model.get("maxAbs").asDouble(), "model maxAbs = the largest tensor's");
        assertFalse(model.get("againstDecodedSource").asBoolean());
        assertEquals(JsonNode.class.isInstance(r.get("errorSample")) && r.get("errorSample").isNull(), true, "errorSample null");
        assertTrue(r.get("errorFailure").isNull());
        assertRelative(0.33994549378654781 + 0.028877624038042171,
                model.get("byRole").get("ffn_down").get("sse").asDouble(), "byRole.ffn_down: the two ffn_down tensors");
        assertEquals(0.0, model.get("byRole").get("other").get("sse").asDouble(), "the norms, kept");
        assertEquals(2, model.get("byLayer").size());
    }

    @Test
    void allFileTypesGiveOneMeasuredRowPerAcceptedRun() throws Exception {
        JsonNode r = json(F16, "--all", "--error");
        int measured = 0;
        for (Map.Entry<String, Object> e : SimulateRuns.MAIN_F16.entrySet()) {
            JsonNode row = result(r, e.getKey());
            if (e.getValue() instanceof Long) {
                assertTrue(row.get("errorFailure").isNull(), e.getKey() + ": " + row.get("errorFailure"));
                assertEquals(PARAMETERS, row.get("error").get("n").asLong(), e.getKey());
                measured++;
            } else {
                assertTrue(row.get("error").isNull(), e.getKey() + " is refused: nothing to measure");
            }
        }
        assertEquals(26, measured, "the 26 runs llama.cpp accepted");
        double q4km = ORACLE_Q4_K_M.values().stream().mapToDouble(v -> v[0]).sum();
        assertRelative(q4km, result(r, "MOSTLY_Q4_K_M").get("error").get("sse").asDouble(), "Q4_K_M row");
        // F16 from an F16 source copies every tensor, and F32 holds every F16 value exactly.
        assertEquals(0.0, result(r, "MOSTLY_F16").get("error").get("relativeRmse").asDouble());
        assertEquals(0.0, result(r, "ALL_F32").get("error").get("relativeRmse").asDouble());
        assertTrue(result(r, "MOSTLY_BF16").get("error").get("relativeRmse").asDouble() > 0, "BF16 drops mantissa bits");

        CommandRun text = SimulateRuns.ok(F16, "--to", "Q4_K_M,Q8_0", "--error");
        String header = text.outLines().stream().filter(l -> l.contains("FILE TYPE")).findFirst().orElseThrow();
        assertTrue(header.matches(" *FILE TYPE +STATUS +SIZE +BYTES +BPW +CHANGE +REL RMSE +WORST TENSOR +NOTES"), header);
        assertTrue(text.out().contains("REL RMSE: relative RMSE"), text.out());
    }

    @Test
    void twoFilesShareOneTableWithTheFrontierMarked(@TempDir Path tmp) throws Exception {
        Path copy = Files.copy(Path.of(F16), tmp.resolve("copy.gguf"));
        // From an F16 source: F16 copies every tensor (no error); F32 is as exact but twice the size; BF16 is the
        // same size as F16 with an error; Q4_K_M is by far the smallest. So Q4_K_M and F16 of both files are on the
        // frontier (the two files tie, and a tie beats nothing), BF16 and F32 are not.
        String[] args = {F16, copy.toString(), "--to", "Q4_K_M,F16,BF16,F32", "--error"};
        JsonNode r = json(args);
        assertEquals(2, r.get("files").size());
        List<String> order = new ArrayList<>();
        for (JsonNode o : r.get("comparison")) {
            String ftype = o.get("ftype").asText();
            order.add(ftype);
            boolean expected = ftype.equals("MOSTLY_Q4_K_M") || ftype.equals("MOSTLY_F16");
            assertEquals(expected, o.get("frontier").asBoolean(), o.toString());
        }
        assertEquals(List.of("MOSTLY_Q4_K_M", "MOSTLY_Q4_K_M", "MOSTLY_F16", "MOSTLY_F16", "MOSTLY_BF16", "MOSTLY_BF16", "ALL_F32",
                "ALL_F32"), order, "smallest first; equal sizes: smaller error first");
        assertEquals(4, r.get("files").get(1).get("results").size());

        CommandRun text = SimulateRuns.ok(args);
        List<String> lines = text.outLines();
        int heading = lines.indexOf("Options across 2 models (8), smallest output first");
        assertTrue(heading > 0, text.out());
        List<String> rows = lines.subList(heading + 2, lines.size()).stream()
                .filter(l -> l.matches(" +\\*? +\\S+gguf +(Q4_K_M|F16|BF16|F32) .*")).toList();
        assertEquals(8, rows.size(), text.out());
        for (String row : rows) {
            boolean marked = row.startsWith("  *");
            assertEquals(row.contains(" Q4_K_M ") || row.contains(" F16 "), marked, row);
        }
        assertTrue(text.out().contains("*: on the size/error frontier"), text.out());
    }

    /**
     * A 50% sample: every tensor's relative RMSE interval holds the value of the full run. The sample is chosen by a
     * hash of the fixed default seed, each tensor's name and each block's index (not by thread timing or chunking),
     * so the same blocks are measured on every run and machine: this assertion cannot flake; if the engine's
     * sampling changes, it re-checks the intervals against the full run.
     */
    @Test
    void sampledEstimatesComeWithIntervalsThatHoldTheFullValues() throws Exception {
        JsonNode full = json(F16, "--to", "Q4_K_M", "--error");
        JsonNode sampled = json(F16, "--to", "Q4_K_M", "--sample", "0.5");
        assertEquals(0.5, sampled.get("errorSample").get("fraction").asDouble());
        int sseHeld = 0;
        for (int i = 0; i < 21; i++) {
            JsonNode f = full.get("tensors").get(i).get("error");
            JsonNode s = sampled.get("tensors").get(i).get("error");
            String name = full.get("tensors").get(i).get("name").asText();
            assertEquals(f.get("n").asLong(), s.get("n").asLong());
            assertTrue(s.get("measured").asLong() <= s.get("n").asLong(), name);
            JsonNode rel = s.get("intervals").get("relativeRmse");
            double v = f.get("relativeRmse").asDouble();
            assertTrue(rel.get("low").asDouble() <= v && v <= rel.get("high").asDouble(), name + ": " + v + " in " + rel);
            JsonNode sse = s.get("intervals").get("sse");
            if (sse.get("low").asDouble() <= f.get("sse").asDouble() && f.get("sse").asDouble() <= sse.get("high").asDouble()) {
                sseHeld++;
            }
        }
        assertTrue(sseHeld >= 19, sseHeld + " of 21 sse intervals hold the full sum");
        assertTrue(sampled.get("error").get("measured").asLong() < PARAMETERS, "a sample measures fewer values");

        CommandRun text = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--sample", "0.5");
        String error = text.outLines().stream().filter(l -> l.startsWith("Error:")).findFirst().orElseThrow();
        assertTrue(error.matches("Error: +relative RMSE \\d\\.\\d\\d% ±\\d\\.\\d\\d%, SNR .*"), error);
        assertTrue(text.out().contains("a 50% sample of blocks"), text.out());
    }

    @Test
    void aQuantizedSourceIsMeasuredAgainstItsDecodedValues() throws Exception {
        JsonNode r = json(Q4KM, "--to", "Q4_0", "--error");
        assertTrue(r.get("error").get("againstDecodedSource").asBoolean());
        CommandRun text = SimulateRuns.ok(Q4KM, "--to", "Q4_0", "--error", "--no-tensors");
        assertTrue(text.out().contains("Errors against:"), text.out());
    }

    @Test
    void sortErrorPutsTheWorstFirstAndTheKeptLast() {
        CommandRun run = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--error", "--sort", "error", "--by-layer");
        List<String> lines = run.outLines();
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("Tensors (21, largest relative RMSE first)")).findFirst().orElseThrow());
        List<Double> values = new ArrayList<>();
        for (String l : lines.subList(start + 2, start + 23)) {
            String cell = l.replaceAll(".* KiB +(\\S+) +(\\S+) +(\\S+) .*", "$1");
            values.add(cell.equals("0") ? 0 : Double.parseDouble(cell.replace("%", "")));
        }
        for (int i = 1; i < values.size(); i++) {
            assertTrue(values.get(i - 1) >= values.get(i), values.toString());
        }
        assertEquals(0.0, values.get(16), "the five kept tensors last");
        assertTrue(lines.contains("Error by role") && lines.contains("Error by layer"), run.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "2", "-0.5", "NaN"})
    void aSampleOutsideZeroToOneIsAUsageError(String fraction) {
        CommandRun run = CommandRun.of("simulate", F16, "--to", "Q4_K_M", "--sample", fraction);
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertEquals("gguflens: --sample must be a fraction greater than 0 and at most 1, got " + Double.parseDouble(fraction),
                run.errLines().getFirst());
    }

    @Test
    void errorOnlyOptionsWithoutErrorAreUsageErrors(@TempDir Path tmp) throws Exception {
        Path copy = Files.copy(Path.of(F16), tmp.resolve("copy.gguf"));
        for (String[] args : List.of(new String[] {"simulate", F16, "--to", "Q4_K_M", "--sort", "error"},
                new String[] {"simulate", F16, "--to", "Q4_K_M", "--by-layer"},
                new String[] {"simulate", F16, copy.toString(), "--to", "Q4_K_M"})) {
            CommandRun run = CommandRun.of(args);
            assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
            assertTrue(run.errLines().getFirst().contains("--error"), run.err());
        }
    }
}
