package dev.gguflens.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.testing.TestFiles;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner refuses, warns about and reports, beyond the type rules. */
class PlannerBehaviourTest {
    @TempDir
    Path dir;

    private static Plan planOracle(String file, QuantizeOptions o) throws Exception {
        try (GgufFile f = GgufReader.open(TestFiles.oracle("files/" + file))) {
            return Planner.plan(f, o);
        }
    }

    private static long oracleFileBytes(String set, String source, String ftype) throws Exception {
        for (String[] row : OracleRuns.rows("expected-sizes.tsv")) {
            if (row[0].equals(set) && row[1].equals("tiny-gqa") && row[2].equals(source) && row[3].equals(ftype) && row[6].equals("ok")) {
                return Long.parseLong(row[8]);
            }
        }
        throw new AssertionError("no oracle row " + set + " " + source + " " + ftype);
    }

    @Test
    void aRemovedFileTypeIsAnInvalidOutputFileType() throws Exception {
        Plan p = planOracle("tiny-gqa-f16.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_2));
        assertFalse(p.ok());
        assertEquals("invalid output file type 5", p.message());
        assertEquals(List.of(), p.tensors());
    }

    @Test
    void aQuantizedSourceNeedsAllowRequantizeOnlyWhereATensorChangesType() throws Exception {
        // llama.cpp's own Q8_0 output as the source. To Q4_K_M, output.weight (first in order) goes q8_0 -> q6_K.
        Plan refused = planOracle("tiny-gqa-f16-MOSTLY_Q8_0.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        assertEquals("requantizing from type q8_0 is disabled (tensor output.weight; llama-quantize needs --allow-requantize)", refused.message());
        // Allowed, the types and the metadata are those of the F16 -> Q4_K_M run, so is the size.
        Plan allowed = planOracle("tiny-gqa-f16-MOSTLY_Q8_0.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M).withAllowRequantize(true));
        assertEquals(oracleFileBytes("main", "F16", "MOSTLY_Q4_K_M"), allowed.fileBytes());
        // To Q8_0 again every tensor keeps its type, so nothing is requantized: the same file.
        Plan same = planOracle("tiny-gqa-f16-MOSTLY_Q8_0.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q8_0));
        assertTrue(same.ok(), same.message());
        assertEquals(oracleFileBytes("main", "F16", "MOSTLY_Q8_0"), same.fileBytes());
        assertTrue(same.tensors().stream().allMatch(PlannedTensor::copied));
    }

    @Test
    void anIntegerWeightThatWouldChangeTypeCannotBeConverted() throws Exception {
        Plan p = TiedEmbeddingsRulesTest.model(256).tensor("blk.0.ids.weight", GgmlType.I32, 256, 4)
                .plan(dir, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        assertEquals("cannot dequantize/convert tensor type i32 (tensor blk.0.ids.weight)", p.message());
    }

    @Test
    void planAllPlansEveryCurrentFileTypeWithItsOwnStatus() throws Exception {
        List<Plan> plans;
        try (GgufFile f = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            plans = Planner.planAll(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        }
        List<String[]> rows = new ArrayList<>();
        for (String[] row : OracleRuns.rows("expected-sizes.tsv")) {
            if (row[0].equals("main") && row[2].equals("F16")) {
                rows.add(row);
            }
        }
        assertEquals(rows.size(), plans.size());
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            Plan p = plans.get(i);
            assertEquals(row[3], p.ftype().enumName());
            assertEquals(row[6], p.ok() ? "ok" : "failed", row[3]);
            if (p.ok()) {
                assertEquals(Long.parseLong(row[8]), p.fileBytes(), row[3]);
            } else {
                for (String part : OracleSizesTest.reasonParts(row[7])) {
                    assertTrue(p.message().contains(part), p.message() + " lacks " + part);
                }
            }
        }
    }

    @Test
    void aBigEndianSourcePlansAsItsLittleEndianTwin() throws Exception {
        Path be = dir.resolve("tiny-gqa-f16-be.gguf");
        try (GgufFile f = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            GgufWriter.Layout layout = GgufWriter.layout(f.metadata(), f.tensors().stream().map(GgufWriter.TensorSpec::of).toList(),
                    32, ByteOrder.BIG_ENDIAN);
            try (RandomAccessFile out = new RandomAccessFile(be.toFile(), "rw")) {
                out.write(layout.header());
                out.setLength(layout.fileSize());
            }
        }
        try (GgufFile f = GgufReader.open(be)) {
            assertEquals(ByteOrder.BIG_ENDIAN, f.byteOrder());
            // Arrays of a big-endian file are re-encoded element by element into the little-endian output.
            assertEquals(oracleFileBytes("main", "F16", "MOSTLY_Q4_K_M"), Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)).fileBytes());
        }
    }

    @Test
    void aSourceAlignmentOtherThan32IsCopiedButIgnoredWithAWarning() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M);
        Plan plain = TiedEmbeddingsRulesTest.model(256).plan(dir, o);
        Plan aligned = TiedEmbeddingsRulesTest.model(256).key("general.alignment", GgufValue.Int.u32(64)).plan(dir, o);
        // The key is copied: 8 + len("general.alignment") + 4 + 4 more header bytes; padding stays at 32.
        assertEquals(plain.headerBytes() + 8 + 17 + 4 + 4, aligned.headerBytes());
        assertEquals((aligned.headerBytes() + 31) / 32 * 32, aligned.dataOffset());
        assertEquals(List.of(), plain.warnings());
        assertEquals(List.of("the source sets general.alignment to 64: llama-quantize copies the key but pads to 32 bytes,"
                + " so llama.cpp will refuse the output"), aligned.warnings());
    }

    @Test
    void everyTensorSaysWhyItGetsItsType() throws Exception {
        Plan p = planOracle("tiny-gqa-f16.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        Map<String, String> reasons = new HashMap<>();
        p.tensors().forEach(t -> reasons.put(t.name(), t.reason()));
        assertEquals("output: Q6_K", reasons.get("output.weight"));
        assertEquals("kept: 1-D", reasons.get("output_norm.weight"));
        assertEquals("token_embd: default type of Q4_K_M", reasons.get("token_embd.weight"));
        assertEquals("attn_v: Q4_K_M promotes attn_v 1 of 2 to Q6_K (use_more_bits)", reasons.get("blk.1.attn_v.weight"));
        assertEquals("ffn_down: Q4_K_M promotes this layer to Q6_K (use_more_bits) (layer 1 of 2)", reasons.get("blk.1.ffn_down.weight"));
        assertEquals("default type of Q4_K_M", reasons.get("blk.0.attn_q.weight"));
        Plan f16 = planOracle("tiny-gqa-f32.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_F16));
        assertEquals("F16: every weight becomes F16", f16.tensors().get(0).reason());
        Plan manual = planOracle("tiny-gqa-f16.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)
                .withTensorTypes(List.of(TensorTypeOverride.parse("attn_v=q8_0"))));
        assertEquals("--tensor-type attn_v=q8_0", manual.tensors().stream().filter(t -> t.name().equals("blk.0.attn_v.weight"))
                .findFirst().orElseThrow().reason());
    }

    @Test
    void totalsAreLlamaCppsModelAndQuantSizes() throws Exception {
        Plan p = planOracle("tiny-gqa-f16.gguf", QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        // tiny-gqa: vocab 512 x 256 twice, 3 norms... counted by hand from the oracle README's hparams:
        // token_embd and output 2 x 131072; output_norm 256; per layer: q 65536, k 32768, v 32768, o 65536,
        // gate/up/down 3 x 131072, two norms 512.
        long perLayer = 65536 + 32768 + 32768 + 65536 + 3 * 131072 + 512;
        assertEquals(2 * 131072 + 256 + 2 * perLayer, p.parameterCount());
        // Every weight F16 (2 bytes), norms F32 (4 bytes).
        assertEquals(2L * (2 * 131072 + 2 * (perLayer - 512)) + 4L * (256 + 2 * 512), p.sourceTensorBytes());
        // llama.cpp's quant size: the unpadded tensor sizes of its output, from the oracle's table.
        long quant = 0;
        for (String[] row : OracleRuns.rows("expected-types.tsv")) {
            if (row[0].equals("main") && row[2].equals("F16") && row[3].equals("MOSTLY_Q4_K_M")) {
                quant += Long.parseLong(row[10]);
            }
        }
        assertEquals(quant, p.tensorBytes());
        assertEquals(quant * 8.0 / p.parameterCount(), p.bitsPerWeight());
    }
}
