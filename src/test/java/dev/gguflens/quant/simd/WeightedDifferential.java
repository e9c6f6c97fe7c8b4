package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import dev.gguflens.quant.QuantVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Checks of the vectorized weighted encoders ({@code quantizeRows} with importance weights): the expected
 * hashes of ggml's own output (quantizers-imatrix.md §6, {@code imatrix-vectors.tsv}), and the bytes of the
 * scalar reference on inputs the table does not cover (hazards, zero weights, other row lengths). Shared
 * by the in-process test and the child JVMs of the other vector widths ({@link WeightedDifferentialMain}).
 */
final class WeightedDifferential {
    static final List<GgmlType> TYPES = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1);

    private WeightedDifferential() {
    }

    /**
     * {@code quantizeRows(random, 4096 rows of 256, importance)} hashed, and its bytes decoded and hashed,
     * against the table: each difference as a line.
     */
    static List<String> vectorHashes(GgmlType type, BlockCodec simd, Map<String, ImatrixVectors.Expected> table) {
        ImatrixVectors.Expected want = table.get(type.name());
        float[] x = QuantVectors.random();
        int rows = x.length / QuantVectors.N_PER_ROW;
        byte[] q = new byte[simd.encodedBytes(x.length)];
        simd.quantizeRows(x, 0, q, 0, rows, QuantVectors.N_PER_ROW, ImatrixVectors.importance(), 0);
        float[] y = new float[x.length];
        simd.dequantize(q, 0, y, 0, x.length);
        List<String> problems = new ArrayList<>();
        if (q.length != want.bytes()) {
            problems.add(type + " imatrix vector: " + q.length + " bytes, the table says " + want.bytes());
        }
        String gotQ = QuantVectors.sha256(q);
        if (!gotQ.equals(want.sha256Quantized())) {
            problems.add(type + " imatrix vector: quantized sha256 " + gotQ + ", ggml's " + want.sha256Quantized());
        }
        String gotY = QuantVectors.sha256(QuantVectors.bytesOf(y));
        if (!gotY.equals(want.sha256Dequantized())) {
            problems.add(type + " imatrix vector: dequantized sha256 " + gotY + ", ggml's " + want.sha256Dequantized());
        }
        return problems;
    }

    /** Every comparison with the reference below, for one type. */
    static List<String> all(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        problems.addAll(referenceVectors(type, simd));
        problems.addAll(hazards(type, simd));
        problems.addAll(otherRows(type, simd));
        problems.addAll(unimportantOutliers(type, simd));
        return problems;
    }

    /**
     * {@code random} (1024 rows), {@code nasty} and {@code invalid} (quantizers.md §6) with the §6 importance
     * vector and with the one of §0 that holds zeros.
     */
    static List<String> referenceVectors(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        float[] random = Arrays.copyOf(QuantVectors.random(), 1024 * QuantVectors.N_PER_ROW);
        Map<String, float[]> importances = Map.of("importance", ImatrixVectors.importance(),
                "importance with zeros", ImatrixVectors.importanceWithZeros());
        importances.forEach((name, importance) -> {
            problems.addAll(compare(type, simd, random, 0, 0, 1024, QuantVectors.N_PER_ROW, importance, 0, "random, " + name));
            problems.addAll(compare(type, simd, QuantVectors.nasty(), 0, 0, 32, QuantVectors.N_PER_ROW, importance, 0, "nasty, " + name));
            problems.addAll(compare(type, simd, QuantVectors.invalid(), 0, 0, 5, QuantVectors.N_PER_ROW, importance, 0, "invalid, " + name));
        });
        return problems;
    }

    /** The generated {@link HazardInputs}, rows of 256, with the importance vector that holds zeros. */
    static List<String> hazards(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        for (HazardInputs.Case c : HazardInputs.all()) {
            int rows = c.values().length / QuantVectors.N_PER_ROW;
            problems.addAll(compare(type, simd, c.values(), 0, 0, rows, QuantVectors.N_PER_ROW, ImatrixVectors.importanceWithZeros(), 0,
                    c.name()));
        }
        return problems;
    }

    /**
     * Rows of 512 and 4096 in odd counts (groups left part empty, rows splitting groups), at source,
     * destination and importance offsets that are multiples of nothing; the legacy types' sigma2 then
     * spans more than one 256-value block.
     */
    static List<String> otherRows(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        float[] random = QuantVectors.random();
        float[] nasty = QuantVectors.nasty();
        for (int nPerRow : new int[] {512, 4096}) {
            float[] importance = columns(nPerRow, 3);
            for (int rows : new int[] {1, 3, 7, 17, 33}) {
                problems.addAll(compare(type, simd, random, 11, 5, rows, nPerRow, importance, 3, rows + " rows of " + nPerRow));
            }
            problems.addAll(compare(type, simd, nasty, 0, 1, nasty.length / nPerRow, nPerRow, importance, 3, "nasty in rows of " + nPerRow));
        }
        return problems;
    }

    /**
     * Rows of 256 whose values cluster tightly around a value of any sign and magnitude, except for far
     * outliers (up to 10^11 times the cluster's magnitude) in columns of tiny importance (10^-1 .. 10^-30). A
     * fit can then put the min next to the cluster, far above an outlier: the candidates' levels of that
     * outlier come from arguments far beyond 2^22, where the magic-domain rounding of {@link ScaleMinSearch}
     * is not nearest_int's, and the outlier's small weight still shows in the sums.
     */
    static List<String> unimportantOutliers(GgmlType type, BlockCodec simd) {
        int nPerRow = QuantVectors.N_PER_ROW;
        int rows = 256;
        java.util.Random r = new java.util.Random(41);
        float[] importance = new float[nPerRow];
        for (int j = 0; j < nPerRow; j++) {
            importance[j] = outlierColumn(j) ? (float) Math.pow(10, -1 - (j * 7) % 30) : 0.5f + (j % 5) * 0.25f;
        }
        float[] x = new float[rows * nPerRow];
        for (int row = 0; row < rows; row++) {
            float center = (float) ((r.nextBoolean() ? -1 : 1) * Math.pow(10, r.nextInt(9) - 4));
            float spread = (float) Math.pow(10, -1 - r.nextInt(7));
            for (int j = 0; j < nPerRow; j++) {
                x[row * nPerRow + j] = outlierColumn(j) && r.nextInt(3) > 0
                        ? (float) ((r.nextInt(4) == 0 ? 1 : -1) * Math.abs(center) * Math.pow(10, 2 + r.nextInt(10)))
                        : center * (1 + spread * (float) r.nextGaussian());
            }
        }
        return compare(type, simd, x, 0, 0, rows, nPerRow, importance, 0, "outliers in unimportant columns");
    }

    private static boolean outlierColumn(int j) {
        return j % 32 == 5 || j % 32 == 18 || j % 32 == 30;
    }

    /** {@code 3 + nPerRow} importance values from offset 3: the §0 vector with zeros, repeated, scaled by 1, 2 or 3 per column. */
    private static float[] columns(int nPerRow, int offset) {
        float[] base = ImatrixVectors.importanceWithZeros();
        float[] w = new float[offset + nPerRow];
        for (int j = 0; j < nPerRow; j++) {
            w[offset + j] = base[(j * 7) % base.length] * (1 + j % 3);
        }
        return w;
    }

    /**
     * Encodes {@code nRows} rows of {@code nPerRow} values from {@code x[srcOff ..]} with both codecs into
     * buffers at {@code dstOff} and compares the bytes, and the floats both decode them to.
     */
    static List<String> compare(GgmlType type, BlockCodec simd, float[] x, int srcOff, int dstOff, int nRows, int nPerRow,
                                float[] importance, int importanceOff, String what) {
        BlockCodec ref = Differential.reference(type);
        int n = nRows * nPerRow;
        byte[] want = new byte[dstOff + ref.encodedBytes(n)];
        byte[] got = new byte[want.length];
        ref.quantizeRows(x, srcOff, want, dstOff, nRows, nPerRow, importance, importanceOff);
        simd.quantizeRows(x, srcOff, got, dstOff, nRows, nPerRow, importance, importanceOff);
        List<String> problems = new ArrayList<>();
        int count = 0;
        int first = -1;
        for (int k = 0; k < want.length; k++) {
            if (want[k] != got[k]) {
                count++;
                first = first < 0 ? k : first;
            }
        }
        if (count > 0) {
            int rel = first - dstOff;
            problems.add(type + " " + what + ": " + count + " quantized bytes differ from the reference, the first in block "
                    + rel / type.typeSize() + " at byte " + rel % type.typeSize() + ": " + (got[first] & 0xFF) + " not " + (want[first] & 0xFF));
        }
        float[] a = new float[n];
        float[] b = new float[n];
        ref.dequantize(want, dstOff, a, 0, n);
        simd.dequantize(got, dstOff, b, 0, n);
        for (int i = 0; i < n; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                problems.add(type + " " + what + ": value " + i + " decodes to " + b[i] + ", the reference's bytes to " + a[i]);
                break;
            }
        }
        return problems;
    }
}
