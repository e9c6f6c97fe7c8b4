package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.QuantVectors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The checks every reference codec must pass against the reference test data: the quantizer vectors of
 * quantizers.md §6 ({@code vectors.tsv}), the decode vectors of §8 ({@code decode-vectors.tsv}) and ggml's
 * test-quantize-fns error limits of §7.
 */
final class CodecVectorChecks {
    private CodecVectorChecks() {
    }

    static BlockCodec codec(GgmlType type) {
        return Codecs.reference(type).orElseThrow(() -> new AssertionError("no reference codec for " + type));
    }

    private static Path referenceDir() {
        Path ref = QuantVectors.referenceDir().orElse(null);
        assumeTrue(ref != null, "reference vectors not found beside the oracle (../shared/reference): vector check skipped");
        return ref;
    }

    /**
     * The {@code random}, {@code nasty} and {@code invalid} vectors (and each {@code invalid.rowN} the TSV lists
     * for the type) quantize to the listed bytes, dequantize to the listed floats, and pass or fail
     * {@code ggml_validate_row_data} as listed.
     */
    static void quantizerVectorsMatch(GgmlType type) {
        Map<String, QuantVectors.Expected> expected = QuantVectors.expected(referenceDir());
        BlockCodec codec = codec(type);
        float[] invalid = QuantVectors.invalid();
        record Input(String name, float[] values) {
        }
        List<Input> inputs = new ArrayList<>(List.of(
                new Input("random", QuantVectors.random()), new Input("nasty", QuantVectors.nasty()), new Input("invalid", invalid)));
        for (int r = 0; r < 5; r++) {
            inputs.add(new Input("invalid.row" + r, QuantVectors.row(invalid, r)));
        }
        int checked = 0;
        for (Input in : inputs) {
            QuantVectors.Expected e = expected.get(in.name() + "/" + type.name());
            if (e == null) {
                continue; // row lines exist only for types that abort on the whole vector
            }
            assertFalse(e.aborts(), "ggml aborts on " + in.name() + "/" + type + ": not a case for this check");
            byte[] q = new byte[codec.encodedBytes(in.values().length)];
            assertEquals(e.bytes(), q.length, in.name() + " output size");
            codec.quantize(in.values(), 0, q, 0, in.values().length);
            assertEquals(e.sha256Quantized(), QuantVectors.sha256(q), in.name() + "/" + type + " quantized bytes");
            float[] back = new float[in.values().length];
            codec.dequantize(q, 0, back, 0, back.length);
            assertEquals(e.sha256Dequantized(), QuantVectors.sha256(QuantVectors.bytesOf(back)), in.name() + "/" + type + " dequantized floats");
            long nBlocks = in.values().length / type.blockSize();
            assertEquals(e.valid(), codec.firstInvalidBlock(q, 0, nBlocks) == -1, in.name() + "/" + type + " validity");
            checked++;
        }
        assertTrue(checked >= 3, "vectors.tsv lists random, nasty and invalid for " + type);
    }

    /** The 4096 decode-vector blocks of the type decode to the listed floats. */
    static void decodeVectorMatches(GgmlType type) {
        QuantVectors.ExpectedDecode e = QuantVectors.expectedDecodes(referenceDir()).get(type.name());
        assertTrue(e != null, "decode-vectors.tsv lists " + type);
        byte[] blocks = QuantVectors.decodeBlocks(type);
        assertEquals(e.sha256Blocks(), QuantVectors.sha256(blocks), type + " input blocks");
        float[] out = new float[e.nBlocks() * type.blockSize()];
        codec(type).dequantize(blocks, 0, out, 0, out.length);
        assertEquals(e.sha256Decoded(), QuantVectors.sha256(QuantVectors.bytesOf(out)), type + " decoded floats");
    }

    /**
     * ggml's test-quantize-fns "absolute quantization error" of a quantize/dequantize round trip of
     * {@code 0.1 + 2*cosf(i)}, i < 4096, which it computes as {@code sqrt(Σd²)/n} (not an RMSE).
     */
    static double testQuantizeFnsError(GgmlType type) {
        int n = 4096;
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = (float) (0.1 + 2.0f * (float) Math.cos((float) i)); // 0.1 is a double in the C source
        }
        BlockCodec codec = codec(type);
        byte[] q = new byte[codec.encodedBytes(n)];
        codec.quantize(data, 0, q, 0, n);
        float[] back = new float[n];
        codec.dequantize(q, 0, back, 0, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double diff = (double) data[i] - back[i];
            sum += diff * diff;
        }
        return Math.sqrt(sum) / n;
    }

    /** Builds a float array from values (a readable way to write a test block). */
    static float[] block(int size, float... head) {
        float[] v = new float[size];
        System.arraycopy(head, 0, v, 0, head.length);
        return v;
    }

    /** Quantizes {@code values} with the type's reference codec. */
    static byte[] quantize(GgmlType type, float[] values) {
        BlockCodec codec = codec(type);
        byte[] q = new byte[codec.encodedBytes(values.length)];
        codec.quantize(values, 0, q, 0, values.length);
        return q;
    }

    /** Little-endian uint16 at {@code off}. */
    static int u16(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
    }
}
