package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.QuantVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks of the vectorized IQ3_XXS and IQ3_S encoders ({@link Iq3VectorCodec}): ggml's hashes (the imatrix
 * vector for both, and for IQ3_S the plain {@code random} and {@code nasty} vectors of vectors.tsv), and
 * the scalar reference's bytes, or its abort with the same message, everywhere else (the vectors of §6 with
 * both importance vectors, the hazards, other row lengths and offsets). Shared by the in-process test and
 * the child JVMs of the other vector widths ({@link Iq3DifferentialMain}).
 */
final class Iq3Differential {
    static final List<GgmlType> TYPES = List.of(GgmlType.IQ3_XXS, GgmlType.IQ3_S);

    private Iq3Differential() {
    }

    /** Every check, for one type. */
    static List<String> all(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>(WeightedDifferential.vectorHashes(type, simd, ImatrixVectors.expected()));
        if (type == GgmlType.IQ3_S) {
            problems.addAll(plainVectorHashes(simd));
        }
        float[] random = Arrays.copyOf(QuantVectors.random(), 512 * QuantVectors.N_PER_ROW);
        Map<String, float[]> inputs = Map.of("random", random, "nasty", QuantVectors.nasty(), "invalid", QuantVectors.invalid());
        Map<String, float[]> importances = Map.of("importance", ImatrixVectors.importance(),
                "importance with zeros", ImatrixVectors.importanceWithZeros());
        inputs.forEach((name, x) -> {
            importances.forEach((iname, w) -> problems.addAll(compare(type, simd, x, 0, 0, x.length / 256, 256, w, 0, name + ", " + iname)));
            problems.addAll(compare(type, simd, x, 0, 0, x.length / 256, 256, null, 0, name + ", no importance"));
        });
        for (HazardInputs.Case c : HazardInputs.all()) {
            int rows = c.values().length / 256;
            problems.addAll(compare(type, simd, c.values(), 0, 0, rows, 256, ImatrixVectors.importanceWithZeros(), 0, c.name()));
            problems.addAll(compare(type, simd, c.values(), 0, 0, rows, 256, null, 0, c.name() + ", no importance"));
        }
        float[] importance4096 = new float[3 + 4096];
        float[] base = ImatrixVectors.importance();
        for (int j = 0; j < 4096; j++) {
            importance4096[3 + j] = base[(j * 7) % base.length] * (1 + j % 3);
        }
        for (int rows : new int[] {1, 3, 7}) {
            problems.addAll(compare(type, simd, QuantVectors.random(), 11, 5, rows, 4096, importance4096, 3, rows + " rows of 4096"));
        }
        return problems;
    }

    /** IQ3_S without importance on the {@code random} and {@code nasty} vectors: ggml's hashes (vectors.tsv). */
    private static List<String> plainVectorHashes(BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        Map<String, QuantVectors.Expected> table = QuantVectors.expected(QuantVectors.referenceDir().orElseThrow());
        for (String vector : List.of("random", "nasty")) {
            float[] x = vector.equals("random") ? QuantVectors.random() : QuantVectors.nasty();
            QuantVectors.Expected want = table.get(vector + "/IQ3_S");
            byte[] q = new byte[simd.encodedBytes(x.length)];
            simd.quantize(x, 0, q, 0, x.length);
            float[] y = new float[x.length];
            simd.dequantize(q, 0, y, 0, x.length);
            if (!QuantVectors.sha256(q).equals(want.sha256Quantized())) {
                problems.add("IQ3_S " + vector + ": quantized sha256 " + QuantVectors.sha256(q) + ", ggml's " + want.sha256Quantized());
            }
            if (!QuantVectors.sha256(QuantVectors.bytesOf(y)).equals(want.sha256Dequantized())) {
                problems.add("IQ3_S " + vector + ": dequantized sha256 differs from ggml's");
            }
        }
        return problems;
    }

    /**
     * Encodes {@code nRows} rows of {@code nPerRow} values with both codecs ({@code importance} null: without
     * weights, which IQ3_XXS refuses) and compares the bytes, or the refusal or abort and its message.
     */
    static List<String> compare(GgmlType type, BlockCodec simd, float[] x, int srcOff, int dstOff, int nRows, int nPerRow,
                                float[] importance, int importanceOff, String what) {
        BlockCodec ref = Differential.reference(type);
        byte[] want = new byte[dstOff + ref.encodedBytes(nRows * nPerRow)];
        byte[] got = new byte[want.length];
        String wantOutcome = outcome(() -> ref.quantizeRows(x, srcOff, want, dstOff, nRows, nPerRow, importance, importanceOff));
        String gotOutcome = outcome(() -> simd.quantizeRows(x, srcOff, got, dstOff, nRows, nPerRow, importance, importanceOff));
        List<String> problems = new ArrayList<>();
        if (!wantOutcome.equals(gotOutcome)) {
            problems.add(type + " " + what + ": " + gotOutcome + ", the reference: " + wantOutcome);
        } else if (wantOutcome.equals("encoded") && !Arrays.equals(want, got)) {
            int first = Arrays.mismatch(want, got);
            problems.add(type + " " + what + ": quantized bytes differ from the reference's, the first at byte " + (first - dstOff));
        }
        return problems;
    }

    private static String outcome(Runnable encode) {
        try {
            encode.run();
            return "encoded";
        } catch (CodecAbortException | UnsupportedOperationException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
