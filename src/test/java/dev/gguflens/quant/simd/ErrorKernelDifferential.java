package dev.gguflens.quant.simd;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.PieceSums;
import dev.gguflens.quant.ref.ScalarErrorKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs the vectorized error kernel's vector code (whether the JIT has compiled it or not, so never its
 * scalar stand-in) and the scalar specification on the same pieces and describes every difference: each sum's double (NaN equal to NaN), the maximum, the bin range and every bin's count.
 * Shared by the in-process test and the child JVMs that test each vector width ({@link DifferentialMain}).
 */
final class ErrorKernelDifferential {
    /** Piece lengths around the 8 lanes, the vector widths and the kernel's 512-value blocks, and a full piece. */
    static final int[] COUNTS = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 255, 256, 511, 512, 513, 1023, 1031, 4099, 16384};

    private ErrorKernelDifferential() {
    }

    /** Every check below. */
    static List<String> all(VectorErrorKernel vector) {
        List<String> problems = new ArrayList<>();
        problems.addAll(randomPieces(vector));
        problems.addAll(hazards(vector));
        return problems;
    }

    /** Model-like values and their rounding to a grid, every length of {@link #COUNTS}, at offsets 0 and 5. */
    static List<String> randomPieces(VectorErrorKernel vector) {
        List<String> problems = new ArrayList<>();
        Random r = new Random(42);
        float[] x = new float[16384 + 5];
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.02 * r.nextGaussian());
            y[i] = Math.round(x[i] / 0.003f) * 0.003f;
        }
        for (int count : COUNTS) {
            for (int off : new int[] {0, 5}) {
                if (off + count <= x.length) {
                    compare(vector, x, y, off, count, "random, " + count + " values at " + off).ifPresent(problems::add);
                }
            }
        }
        return problems;
    }

    /**
     * The codec {@link HazardInputs} (NaN, infinities, signed zeros, subnormals, huge values) against
     * themselves, a shifted copy, a grid rounding, zeros and NaN, at lengths that leave a tail.
     */
    static List<String> hazards(VectorErrorKernel vector) {
        List<String> problems = new ArrayList<>();
        for (HazardInputs.Case c : HazardInputs.all()) {
            float[] x = c.values();
            int n = x.length;
            float[] shifted = new float[n];
            float[] grid = new float[n];
            float[] zeros = new float[n];
            float[] nans = new float[n];
            for (int i = 0; i < n; i++) {
                shifted[i] = x[(i + 7) % n];
                grid[i] = Math.round(x[i] * 4) / 4f;
                nans[i] = i % 5 == 0 ? Float.NaN : x[i];
            }
            List<float[]> ys = List.of(x, shifted, grid, zeros, nans);
            List<String> names = List.of("itself", "shifted", "grid", "zeros", "some NaN");
            for (int k = 0; k < ys.size(); k++) {
                for (int count : new int[] {n, n - 3, Math.min(n, 13)}) {
                    compare(vector, x, ys.get(k), n - count, count, c.name() + " vs " + names.get(k) + ", " + count + " values")
                            .ifPresent(problems::add);
                }
            }
        }
        // every binade of |d| from below 2^-64 to above 2^64 and the top bin's infinity
        float[] x = new float[300];
        float[] y = new float[300];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.scalb(1.0f + (i % 64) / 64f, i % 250 - 125);
            y[i] = i % 3 == 0 ? -x[i] : 0;
        }
        x[17] = Float.POSITIVE_INFINITY;
        x[18] = Float.MIN_VALUE;
        compare(vector, x, y, 0, x.length, "every binade").ifPresent(problems::add);
        return problems;
    }

    /** Measures one piece with both kernels and describes the first difference, if any. */
    static java.util.Optional<String> compare(VectorErrorKernel vector, float[] x, float[] y, int off, int count, String what) {
        PieceSums want = new PieceSums();
        PieceSums got = new PieceSums();
        new ScalarErrorKernel().measure(x, y, off, count, want);
        vector.measureWithVectors(x, y, off, count, got);
        List<String> diffs = new ArrayList<>();
        same("sse", want.sse(), got.sse(), diffs);
        same("sumX2", want.sumX2(), got.sumX2(), diffs);
        same("sumY2", want.sumY2(), got.sumY2(), diffs);
        same("sumXY", want.sumXY(), got.sumXY(), diffs);
        same("maxAbs", want.maxAbs(), got.maxAbs(), diffs);
        if (want.lowBin() != got.lowBin() || want.highBin() != got.highBin()) {
            diffs.add("bins " + got.lowBin() + ".." + got.highBin() + ", the reference's " + want.lowBin() + ".." + want.highBin());
        }
        for (int b = 0; b < ErrorBins.BINS && diffs.size() < 6; b++) {
            if (want.counts()[b] != got.counts()[b]) {
                diffs.add("bin " + b + " counts " + got.counts()[b] + ", the reference " + want.counts()[b]);
            }
        }
        return diffs.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of("error kernel, " + what + ": " + diffs);
    }

    private static void same(String name, double want, double got, List<String> diffs) {
        if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
            diffs.add(name + " " + got + " (" + Long.toHexString(Double.doubleToRawLongBits(got)) + "), the reference's "
                    + want + " (" + Long.toHexString(Double.doubleToRawLongBits(want)) + ")");
        }
    }
}
