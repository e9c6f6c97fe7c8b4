package dev.gguflens.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.ImatrixFiles;
import dev.gguflens.testing.ImatrixFiles.Entry;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-D expert tensor through {@code quantize --imatrix} (quantizers-imatrix.md §1.5 item 4): each expert's rows are
 * quantized with that expert's slice of the entry, and an expert that never saw a token with weight 1 throughout. The
 * expected bytes are the reference codec's, called by hand on each expert with its slice (the codec is tested
 * against ggml elsewhere; what is under test here is which weights reach which rows).
 */
class ImatrixExpertsTest {
    private static final int NE0 = 256;
    private static final int NE1 = 6;
    private static final int EXPERTS = 3;
    private static final String EXPS = "blk.0.ffn_up_exps.weight";

    @TempDir
    Path dir;

    @Test
    void eachExpertIsQuantizedWithItsOwnSlice() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        float[] weights = new float[NE0 * NE1 * EXPERTS];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        Path model = model(weights);
        // Sums per expert, with counts 2, 0 (never routed to) and 5.
        float[] sums = new float[NE0 * EXPERTS];
        for (int i = 0; i < sums.length; i++) {
            sums[i] = (float) Math.exp(rnd.nextGaussian());
        }
        float[] counts = {2, 0, 5};
        Map<String, Entry> entries = new LinkedHashMap<>();
        entries.put(EXPS, new Entry(sums, counts));
        Path imatrix = ImatrixFiles.gguf(dir.resolve("imatrix.gguf"), entries);

        Path out = dir.resolve("out.gguf");
        // --pure: every quantizable tensor Q4_0, whose weighted encoder derives a term from the whole row.
        CommandRun r = CommandRun.of("quantize", "--pure", "--imatrix", imatrix.toString(), model.toString(), out.toString(), "Q4_0");
        assertEquals(0, r.exitCode(), r.toString());

        BlockCodec q4 = Codecs.reference(GgmlType.Q4_0).orElseThrow();
        int rowBytes = q4.encodedBytes(NE0);
        byte[] expected = new byte[rowBytes * NE1 * EXPERTS];
        float[] importance = new float[NE0 * EXPERTS];
        for (int e = 0; e < EXPERTS; e++) {
            for (int i = 0; i < NE0; i++) {
                importance[e * NE0 + i] = counts[e] > 0 ? sums[e * NE0 + i] / counts[e] : 1.0f;
            }
            q4.quantizeRows(weights, e * NE0 * NE1, expected, e * rowBytes * NE1, NE1, NE0, importance, e * NE0);
        }
        byte[] unweighted = new byte[expected.length];
        q4.quantize(weights, 0, unweighted, 0, weights.length);
        try (GgufFile f = GgufReader.open(out)) {
            TensorInfo t = f.tensors().stream().filter(x -> x.name().equals(EXPS)).findFirst().orElseThrow();
            assertEquals(GgmlType.Q4_0, t.type());
            byte[] got = f.tensorData(t).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(expected, got);
            assertFalse(java.util.Arrays.equals(unweighted, got), "the weights must change Q4_0's bytes");
        }
        // The attention weight has no entry: named, and quantized without weights.
        assertTrue(r.err().contains("did not find weights for blk.0.attn_q.weight"), r.err());
    }

    /** A one-layer llama MoE with real F32 data for the expert tensor (the others zero). */
    private Path model(float[] exps) throws Exception {
        List<MetadataEntry> md = List.of(
                new MetadataEntry("general.architecture", GgufValue.Str.of("llama")),
                new MetadataEntry("general.file_type", GgufValue.Int.u32(0)),
                new MetadataEntry("llama.block_count", GgufValue.Int.u32(1)),
                new MetadataEntry("llama.attention.head_count", GgufValue.Int.u32(4)),
                new MetadataEntry("llama.attention.head_count_kv", GgufValue.Int.u32(4)),
                new MetadataEntry("llama.expert_count", GgufValue.Int.u32(EXPERTS)),
                new MetadataEntry("llama.expert_used_count", GgufValue.Int.u32(2)));
        List<GgufWriter.TensorSpec> specs = new ArrayList<>();
        specs.add(new GgufWriter.TensorSpec("blk.0.attn_q.weight", new long[] {NE0, NE0}, GgmlType.F32));
        specs.add(new GgufWriter.TensorSpec(EXPS, new long[] {NE0, NE1, EXPERTS}, GgmlType.F32));
        Path out = dir.resolve("moe-f32.gguf");
        GgufWriter.write(out, GgufWriter.layout(md, specs), (t, ch) -> {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.bytes())).order(ByteOrder.LITTLE_ENDIAN);
            if (t.name().equals(EXPS)) {
                for (float v : exps) {
                    b.putFloat(v);
                }
            }
            b.rewind();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
        return out;
    }
}
