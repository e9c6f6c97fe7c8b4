package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Inputs aimed at {@link Q2KWeightedSearch}'s shortcuts: the candidates it skips (levels that stay, values
 * just below a level's threshold), the lanes it keeps from skipping (values not all finite, level arguments
 * out of range) next to lanes that skip, and the min that a winning candidate moves above the smallest
 * value. Each case is whole rows of 256 values with its own importance row; {@link #differences} encodes
 * them with the vectorized codec and with the scalar reference and lists every case whose bytes differ.
 */
final class Q2KWeightedInputs {
    static final int QK_K = 256;

    /** One named input: {@code rows} rows of 256 values and the importance of a row. */
    record Case(String name, float[] values, float[] importance) {
    }

    private Q2KWeightedInputs() {
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        Random r = new Random(8);
        for (double scale : new double[] {1e-30, 1e-6, 0.02, 1, 3e4, 1e30}) {
            cases.add(rows("gaussian x" + scale, r, 64, (g, j) -> (float) (scale * g.nextGaussian()), Weights.SPREAD));
            cases.add(rows("gaussian + offset x" + scale, r, 32, (g, j) -> (float) (scale * (g.nextGaussian() + 3)), Weights.SPREAD));
            cases.add(rows("gaussian - offset x" + scale, r, 32, (g, j) -> (float) (scale * (g.nextGaussian() - 3)), Weights.SPREAD));
        }
        cases.add(rows("gaussian, importance with zeros", r, 64, (g, j) -> (float) (0.02 * g.nextGaussian()), Weights.ZEROS));
        cases.add(rows("gaussian, importance over 12 decades", r, 64, (g, j) -> (float) (0.02 * g.nextGaussian()), Weights.DECADES));
        cases.add(rows("gaussian, one importance", r, 64, (g, j) -> (float) (0.02 * g.nextGaussian()), Weights.ONES));
        cases.add(rows("uniform", r, 64, (g, j) -> g.nextFloat() * 2 - 1, Weights.SPREAD));
        cases.add(rows("heavy tails", r, 64, (g, j) -> (float) (0.01 * g.nextGaussian() / (0.05 + g.nextFloat())), Weights.SPREAD));
        // levels' arguments on and next to rounding ties at many candidates
        cases.add(rows("lattice of 1/8", r, 32, (g, j) -> (g.nextInt(33) - 16) / 8.0f, Weights.SPREAD));
        cases.add(rows("lattice of 1/20", r, 32, (g, j) -> (g.nextInt(61) - 20) / 20.0f, Weights.ONES));
        cases.add(rows("lattice of 1/20, nudged", r, 32,
                (g, j) -> Math.nextAfter((g.nextInt(61) - 20) / 20.0f, g.nextBoolean() ? 1 : -1), Weights.SPREAD));
        cases.add(rows("four values", r, 32, (g, j) -> new float[] {-0.7f, -0.1f, 0.35f, 1.1f}[g.nextInt(4)], Weights.SPREAD));
        cases.add(rows("two values", r, 32, (g, j) -> g.nextBoolean() ? 0.3f : -0.45f, Weights.ZEROS));
        // one far value: the rest crowd a level, the fitted min moves
        cases.add(rows("one outlier per 16", r, 64, (g, j) -> j % 16 == g.nextInt(16) ? 40.0f : (float) (0.02 * g.nextGaussian()),
                Weights.SPREAD));
        cases.add(rows("one negative outlier per 16", r, 64,
                (g, j) -> j % 16 == 3 ? -40.0f : (float) (0.02 * g.nextGaussian() + 0.05), Weights.SPREAD));
        cases.add(rows("positive with a far min", r, 32,
                (g, j) -> j % 16 == 0 ? -1e-3f : (float) (1 + 1e-4 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("all positive, close together", r, 32, (g, j) -> (float) (1 + 1e-5 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("subnormal", r, 16, (g, j) -> (float) (1e-40 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("tiny range above a large offset", r, 16, (g, j) -> (float) (-3e-38 + 1e-44 * g.nextInt(5)), Weights.SPREAD));
        // a far value without weight: a winning fit can move the min so far above it that its level's argument
        // leaves nearest_int's exact range
        for (float far : new float[] {-1e5f, -3e6f, -1e7f, -1e9f}) {
            cases.add(rows("unweighted far value " + far, r, 32, (g, j) -> j % 16 == 0 ? far : (float) (1 + 1e-3 * g.nextGaussian()),
                    Weights.FIRST_OF_16_ZERO));
        }
        // lanes that may not skip next to lanes that do
        cases.add(rows("a NaN in some sub-blocks", r, 32,
                (g, j) -> (j / 16) % 5 == 2 && j % 16 == 7 ? Float.NaN : (float) (0.02 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("an infinity in some sub-blocks", r, 32,
                (g, j) -> (j / 16) % 7 == 3 && j % 16 == 11 ? Float.NEGATIVE_INFINITY : (float) (0.02 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("a huge value in some sub-blocks", r, 32,
                (g, j) -> (j / 16) % 3 == 1 && j % 16 == 0 ? 3e38f : (float) (0.02 * g.nextGaussian()), Weights.SPREAD));
        cases.add(rows("constant sub-blocks among others", r, 32,
                (g, j) -> (j / 16) % 4 == 1 ? 0.5f : (j / 16) % 4 == 2 ? 0.0f : (float) (0.02 * g.nextGaussian()), Weights.SPREAD));
        return cases;
    }

    /** The importance row of a case. */
    private enum Weights {
        /** Positive values over [1/16, 16), as the benchmark's. */
        SPREAD,
        /** Every third column zero, the rest as SPREAD. */
        ZEROS,
        /** Powers of ten from 1e-6 to 1e6. */
        DECADES,
        /** All 1. */
        ONES,
        /** Zero at the first value of every sub-block, the rest as SPREAD. */
        FIRST_OF_16_ZERO
    }

    private interface Value {
        float at(Random g, int j);
    }

    /** {@code rows} rows of 256 values from {@code value} (j the position in the row) and an importance row. */
    private static Case rows(String name, Random r, int rows, Value value, Weights weights) {
        Random g = new Random(r.nextLong());
        float[] x = new float[rows * QK_K];
        for (int i = 0; i < x.length; i++) {
            x[i] = value.at(g, i % QK_K);
        }
        float[] w = new float[QK_K];
        for (int j = 0; j < QK_K; j++) {
            w[j] = switch (weights) {
                case SPREAD -> Math.scalb(1.0f + g.nextInt(1024) / 1024.0f, g.nextInt(8) - 4);
                case ZEROS -> j % 3 == 0 ? 0.0f : Math.scalb(1.0f + g.nextInt(1024) / 1024.0f, g.nextInt(8) - 4);
                case DECADES -> (float) Math.pow(10, g.nextInt(13) - 6);
                case ONES -> 1.0f;
                case FIRST_OF_16_ZERO -> j % 16 == 0 ? 0.0f : Math.scalb(1.0f + g.nextInt(1024) / 1024.0f, g.nextInt(8) - 4);
            };
        }
        return new Case(name, x, w);
    }

    /**
     * Groups of sub-blocks with weights of every kind (zeros, decades, huge, subnormal, NaN), values of every
     * kind (non-finite ones among finite ones, far values without weight), searched by
     * {@link Q2KWeightedSearch} and by {@link ScaleMinSearch} with Q2_K's parameters: every sub-block whose
     * scale, min, or winning levels' iscale and min differ in any bit, as a line.
     */
    static List<String> searchDifferences() {
        int lanes = VectorWidth.LANES;
        int count = 6 * 2 * lanes;
        Random r = new Random(16);
        List<String> problems = new ArrayList<>();
        for (int group = 0; group < 400; group++) {
            float[] x = new float[16 * count];
            float[] w = new float[16 * count];
            for (int s = 0; s < count; s++) {
                int kind = r.nextInt(12);
                float scale = (float) Math.pow(10, r.nextInt(13) - 6);
                int far = r.nextInt(16);
                for (int i = 0; i < 16; i++) {
                    float xi = (float) (scale * r.nextGaussian());
                    float wi = (float) (scale * Math.abs(r.nextGaussian()) + r.nextFloat());
                    switch (kind) {
                        case 0 -> wi = r.nextInt(3) == 0 ? 0.0f : wi;
                        case 1 -> wi = (float) Math.pow(10, r.nextInt(61) - 30);
                        case 2 -> xi = i == far ? -1e7f * scale : 1 + 1e-3f * xi;
                        case 3 -> {
                            xi = i == far ? -3e6f : 1 + 1e-4f * xi;
                            wi = i == far ? 0.0f : wi;
                        }
                        case 4 -> xi = i == far ? Float.NaN : xi;
                        case 5 -> xi = i == far ? Float.POSITIVE_INFINITY : xi;
                        case 6 -> wi = i == far ? Float.NaN : wi;
                        case 7 -> wi = i == far ? Float.POSITIVE_INFINITY : wi;
                        case 8 -> xi = (r.nextInt(9) - 4) * 0.125f;
                        case 9 -> xi = Math.abs(xi) + 2 * scale;
                        case 10 -> wi = Float.MIN_VALUE * r.nextInt(4);
                        default -> { }
                    }
                    x[i * count + s] = xi;
                    w[i * count + s] = wi;
                }
            }
            Q2KWeightedSearch fast = new Q2KWeightedSearch(count);
            fast.run(x, w, count);
            ScaleMinSearch full = new ScaleMinSearch(count, 16, 3, -0.9f, 0.05f, 36, false);
            for (int s0 = 0; s0 < count; s0 += 2 * lanes) {
                full.run(x, w, count, s0);
            }
            for (int s = 0; s < count; s++) {
                if (differ(fast.scale[s], full.scale[s]) || differ(fast.theMin[s], full.theMin[s])
                        || differ(fast.levelScale[s], full.levelScale[s]) || differ(fast.levelMin[s], full.levelMin[s])) {
                    problems.add("group " + group + " sub-block " + s + ": scale " + fast.scale[s] + " min " + fast.theMin[s]
                            + " level scale " + fast.levelScale[s] + " level min " + fast.levelMin[s] + ", the full search's "
                            + full.scale[s] + " " + full.theMin[s] + " " + full.levelScale[s] + " " + full.levelMin[s]);
                }
            }
        }
        return problems;
    }

    private static boolean differ(float a, float b) {
        return Float.floatToRawIntBits(a) != Float.floatToRawIntBits(b);
    }

    /** Every case whose bytes from {@code simd}, or the floats they decode to, differ from the reference's, as a line. */
    static List<String> differences(BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        for (Case c : all()) {
            problems.addAll(WeightedDifferential.compare(GgmlType.Q2_K, simd, c.values(), 0, 0, c.values().length / QK_K, QK_K,
                    c.importance(), 0, c.name()));
        }
        return problems;
    }
}
