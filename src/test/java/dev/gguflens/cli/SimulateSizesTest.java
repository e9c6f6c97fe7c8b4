package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static dev.gguflens.cli.SimulateRuns.MAIN_F16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code simulate} on the shipped F16 file predicts llama.cpp's own runs: each file type's size to the
 * byte, and each tensor's type, size and place in the output.
 */
class SimulateSizesTest {

    static Stream<String> mainFtypes() {
        return MAIN_F16.keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("mainFtypes")
    void eachFileTypeAloneIsLlamaCppsSizeOrRefusal(String ftype) throws Exception {
        Object expected = MAIN_F16.get(ftype);
        if (expected instanceof Long bytes) {
            JsonNode r = SimulateRuns.json(F16, "--to", ftype);
            assertEquals(ftype, r.get("ftype").asText());
            assertEquals("ok", r.get("status").asText());
            assertFalse(r.has("message"), "no message when ok");
            assertEquals(bytes, r.get("fileBytes").asLong(), ftype);
            assertEquals(bytes - 2_901_760L, r.get("changeBytes").asLong(), "against the source's 2,901,760 bytes");
            assertEquals(21, r.get("tensors").size());
            return;
        }
        // llama-quantize refuses: exit 4, its reason on stderr in one line; the JSON says failed, with the reason.
        CommandRun run = CommandRun.of(SimulateRuns.withJson(F16, "--to", ftype));
        assertEquals(ExitCode.IMPOSSIBLE, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        String reason = (String) expected;
        String line = run.errLines().getFirst();
        assertTrue(line.startsWith("gguflens: " + F16 + ": llama-quantize would refuse "), line);
        JsonNode r = SimulateRuns.JSON.readTree(run.out());
        assertEquals("failed", r.get("status").asText());
        assertTrue(r.get("fileBytes").isNull(), "no size for a refused run");
        assertEquals(0, r.get("tensors").size());
        if (reason.startsWith("invalid")) {
            assertEquals(reason, r.get("message").asText());
            assertTrue(line.endsWith(reason), line);
        } else {
            assertTrue(r.get("message").asText().contains("requires an imatrix"), r.toString());
            assertTrue(r.get("message").asText().contains("offending tensor: blk.0.attn_k.weight"), r.toString());
            assertTrue(r.get("message").asText().contains("target type: " + reason), r.toString());
            assertTrue(r.get("imatrixRequired").asBoolean());
            assertTrue(line.contains("--imatrix FILE") && line.contains("--assume-imatrix"), "says how to go on: " + line);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_K_M", "q4_k_m", "MOSTLY_Q4_K_M", "mostly_q4_k_m", "LLAMA_FTYPE_MOSTLY_Q4_K_M", "15"})
    void fileTypesAreAcceptedAsUsersSpellThem(String spelling) throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", spelling);
        assertEquals("MOSTLY_Q4_K_M", r.get("ftype").asText());
        assertEquals(15, r.get("ftypeId").asInt());
        assertEquals(905_280L, r.get("fileBytes").asLong(), "main tiny-gqa F16 MOSTLY_Q4_K_M");
    }

    @Test
    void refusedFileTypeAloneInTextPrintsNothingOnStdout() {
        CommandRun run = CommandRun.of("simulate", F16, "--to", "IQ2_XXS");
        assertEquals(ExitCode.IMPOSSIBLE, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertEquals(List.of("gguflens: " + F16 + ": llama-quantize would refuse IQ2_XXS: this quantization requires an imatrix!"
                + " offending tensor: blk.0.attn_k.weight, target type: iq2_xxs (give an importance matrix with --imatrix FILE,"
                + " or plan as if given one with --assume-imatrix)"), run.errLines());
    }

    @Test
    void allIsEveryFileTypeWithRefusalsAsFailedRowsSmallestFirst() throws Exception {
        JsonNode all = SimulateRuns.json(F16, "--all");
        assertEquals(1, all.get("schemaVersion").asInt());
        assertEquals(F16, all.get("source").asText());
        assertEquals(MAIN_F16.size(), all.get("results").size());
        for (Map.Entry<String, Object> e : MAIN_F16.entrySet()) {
            JsonNode r = SimulateRuns.result(all, e.getKey());
            if (e.getValue() instanceof Long bytes) {
                assertEquals("ok", r.get("status").asText(), e.getKey());
                assertEquals(bytes, r.get("fileBytes").asLong(), e.getKey());
            } else {
                assertEquals("failed", r.get("status").asText(), e.getKey());
                assertTrue(r.get("message").asText().contains((String) e.getValue()), r.toString());
            }
        }
        // Smallest first: the ok runs by their size, a refused one by its size with an imatrix, NVFP4 (no size at all) last.
        List<Long> order = new ArrayList<>();
        for (JsonNode r : all.get("results")) {
            order.add(r.get("status").asText().equals("ok") ? r.get("fileBytes").asLong()
                    : r.has("withImatrix") ? r.get("withImatrix").get("fileBytes").asLong() : Long.MAX_VALUE);
        }
        assertEquals(order.stream().sorted().toList(), order);
        assertEquals("MOSTLY_NVFP4", all.get("results").get(MAIN_F16.size() - 1).get("ftype").asText());
        assertEquals("MOSTLY_Q1_0", all.get("results").get(0).get("ftype").asText(), "310,080 bytes, the smallest");
    }

    /** The shipped Q4_K_M file is llama.cpp's own output: the simulation must be that file, tensor for tensor. */
    @Test
    void q4KMIsTheShippedLlamaCppOutputTensorForTensor() throws Exception {
        JsonNode r = SimulateRuns.json(F16, "--to", "q4_k_m");
        try (GgufFile written = GgufReader.open(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            assertEquals(Files.size(written.path()), r.get("fileBytes").asLong());
            List<TensorInfo> tensors = written.tensors();
            assertEquals(tensors.size(), r.get("tensors").size());
            long sum = 0;
            for (int i = 0; i < tensors.size(); i++) {
                TensorInfo want = tensors.get(i);
                JsonNode got = r.get("tensors").get(i);
                assertEquals(want.name(), got.get("name").asText(), "output order");
                assertEquals(want.type().name(), got.get("targetType").asText(), want.name());
                assertEquals(want.bytes(), got.get("bytes").asLong(), want.name());
                assertEquals(want.offset(), got.get("offset").asLong(), want.name());
                List<Long> shape = new ArrayList<>();
                got.get("shape").forEach(d -> shape.add(d.asLong()));
                assertEquals(Arrays.stream(want.ne()).boxed().toList(), shape, want.name());
                sum += want.bytes();
            }
            assertEquals(sum, r.get("tensorBytes").asLong());
        }
        // expected-types.tsv (main tiny-gqa F16 MOSTLY_Q4_K_M): 892,160 tensor bytes; x 8 / 1,443,072 parameters.
        assertEquals(892_160L, r.get("tensorBytes").asLong());
        assertEquals(892_160 * 8.0 / 1_443_072, r.get("bitsPerWeight").asDouble(), 1e-12);
        assertEquals("F16", SimulateRuns.tensor(r, "blk.0.attn_q.weight").get("sourceType").asText());
        assertEquals(131_072L, SimulateRuns.tensor(r, "blk.0.attn_q.weight").get("sourceBytes").asLong(), "256 x 256 x 2 bytes");
        assertEquals("MOSTLY_F16", r.get("sourceFileType").asText());
        assertEquals(2_901_760L, r.get("sourceFileBytes").asLong());
        assertEquals(1_443_072L, r.get("parameters").asLong());
    }

    /**
     * Every run of expected-sizes.tsv (status, size, warnings) and every tensor of expected-types.tsv, through
     * the command line: one {@code --all --json} per source file and options column.
     */
    @Test
    void everyOracleRunThroughTheCommandLine() throws Exception {
        List<String[]> sizes = OracleTables.rows("expected-sizes.tsv");
        List<String[]> types = OracleTables.rows("expected-types.tsv");
        Map<String, List<String[]>> sizesByRun = new LinkedHashMap<>();
        for (String[] row : sizes) {
            sizesByRun.computeIfAbsent(row[1] + "\t" + row[2] + "\t" + row[5], k -> new ArrayList<>()).add(row);
        }
        Map<String, List<String[]>> typesByRun = new LinkedHashMap<>();
        for (String[] row : types) {
            typesByRun.computeIfAbsent(row[1] + "\t" + row[2] + "\t" + row[5], k -> new ArrayList<>()).add(row);
        }
        List<String> mismatches = new ArrayList<>();
        int runs = 0;
        int tensors = 0;
        for (Map.Entry<String, List<String[]>> e : sizesByRun.entrySet()) {
            String[] key = e.getKey().split("\t");
            String source = TestFiles.oracle("files/" + key[0] + "-" + key[1].toLowerCase(Locale.ROOT) + ".gguf").toString();
            List<String> args = new ArrayList<>(List.of(source, "--all"));
            args.addAll(OracleTables.cliOptions(key[2]));
            JsonNode all = SimulateRuns.json(args.toArray(String[]::new));
            for (String[] row : e.getValue()) {
                runs++;
                String what = row[0] + "/" + row[1] + "-" + row[2] + "/" + row[3] + "/" + row[5];
                JsonNode r = SimulateRuns.result(all, row[3]);
                if (!r.get("status").asText().equals(row[6])) {
                    mismatches.add(what + ": " + r.get("status") + " " + r.get("message") + ", llama.cpp " + row[6] + " " + row[7]);
                } else if (row[6].equals("ok")) {
                    if (r.get("fileBytes").asLong() != Long.parseLong(row[8])) {
                        mismatches.add(what + ": " + r.get("fileBytes") + " bytes, llama.cpp " + row[8]);
                    }
                    // llama.cpp's WARNING lines, without its "llama_model_quantize_impl: WARNING: " prefix.
                    List<String> warnings = row[7].isEmpty() ? List.of()
                            : Arrays.stream(row[7].split(" \\| ")).map(w -> w.replace("llama_model_quantize_impl: WARNING: ", "")).toList();
                    if (!SimulateRuns.strings(r.get("warnings")).equals(warnings)) {
                        mismatches.add(what + ": warnings " + r.get("warnings") + ", llama.cpp " + warnings);
                    }
                }
            }
            for (String[] row : typesByRun.getOrDefault(e.getKey(), List.of())) {
                tensors++;
                JsonNode t = SimulateRuns.result(all, row[3]).get("tensors").get(Integer.parseInt(row[6]));
                String got = t.get("name").asText() + " " + t.get("targetType").asText() + " " + t.get("bytes") + " @" + t.get("offset");
                String want = row[7] + " " + row[9] + " " + row[10] + " @" + row[11];
                if (!got.equals(want)) {
                    mismatches.add(row[0] + "/" + row[1] + "-" + row[2] + "/" + row[3] + "/" + row[5] + " tensor " + row[6] + ": " + got
                            + ", llama.cpp " + want);
                }
            }
        }
        assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())), mismatches.size() + " mismatches");
        // The oracle README: 864 runs; expected-types.tsv has a row for every tensor of the 663 ok ones.
        assertEquals(864, runs, "runs compared");
        assertEquals(types.size(), tensors, "tensors compared");
    }

    /** tiny-288 (n_embd 288) does not fit 256-blocks: llama.cpp falls back, and says so. */
    @Test
    void fallbacksAreCountedAndSaid() throws Exception {
        String source = TestFiles.oracle("files/tiny-288-f32.gguf").toString();
        JsonNode r = SimulateRuns.json(source, "--to", "Q4_K_M");
        assertEquals(1_678_336L, r.get("fileBytes").asLong(), "llama2c tiny-288 F32 MOSTLY_Q4_K_M default");
        assertEquals(13, r.get("fallbacks").asInt());
        assertEquals(List.of("13 of 21 tensor(s) required fallback quantization"), SimulateRuns.strings(r.get("warnings")));
        assertEquals("Q5_0", SimulateRuns.tensor(r, "blk.0.attn_q.weight").get("targetType").asText(), "288 rows: Q4_K falls back to Q5_0");

        CommandRun text = SimulateRuns.ok(source, "--all");
        String q4km = text.outLines().stream().filter(l -> l.strip().startsWith("Q4_K_M ")).findFirst().orElseThrow();
        assertTrue(q4km.endsWith("13 tensors fall back (rows do not fit the blocks)"), q4km);
        String q4_0 = text.outLines().stream().filter(l -> l.strip().startsWith("Q4_0 ")).findFirst().orElseThrow();
        assertTrue(q4_0.endsWith("1 tensor falls back (rows do not fit the blocks)"), q4_0);
        assertFalse(text.out().contains("Warnings"), "with several file types the counts are in the notes: " + text.out());
    }
}
