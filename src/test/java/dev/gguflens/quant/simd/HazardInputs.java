package dev.gguflens.quant.simd;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * Generated inputs aimed at the places a vectorized quantizer can part from the scalar one: zeros of
 * both signs, constant blocks and sub-blocks, exact rounding ties, first-of-equal-magnitude sign ties,
 * subnormals, huge values whose squares overflow, and NaN or infinities at the first, a middle and the
 * last position of a sub-block (the reference's min/max start from element 0). Each case is a few
 * whole 256-value blocks, named so a failure says which hazard it was.
 */
final class HazardInputs {
    static final int QK_K = 256;

    /** One named input of whole blocks. */
    record Case(String name, float[] values) {
        @Override
        public String toString() {
            return name;
        }
    }

    private HazardInputs() {
    }

    /** A small LCG (the reference vectors' constants) giving floats in [-1, 1). */
    static final class Lcg {
        private int x;

        Lcg(int seed) {
            x = seed;
        }

        float next() {
            x = x * 1664525 + 1013904223;
            return (float) ((x >>> 8) / 16777216.0 * 2 - 1);
        }
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        Lcg g = new Lcg(2024);
        cases.add(blocks("+0", 2, j -> 0.0));
        cases.add(blocks("-0", 2, j -> -0.0));
        cases.add(new Case("+0 and -0 mixed", fill(512, j -> (j * 7 % 3 == 0) ? -0.0f : 0.0f)));
        cases.add(blocks("constant 1", 1, j -> 1.0));
        cases.add(blocks("constant -2.5", 1, j -> -2.5));
        cases.add(blocks("constant 1e-20", 1, j -> 1e-20));
        cases.add(blocks("constant 1e30", 1, j -> 1e30));
        cases.add(blocks("constant per 16", 2, j -> (j / 16) * 0.1 - 0.7));
        cases.add(blocks("constant per 32", 2, j -> (j / 32) * 0.3 - 1.1));
        cases.add(blocks("one constant sub-block of 16", 2, j -> j / 16 == 5 ? 0.25 : g.next()));
        cases.add(blocks("one constant sub-block of 32", 2, j -> j / 32 == 3 ? -0.5 : g.next()));
        cases.add(blocks("half-integer ties", 2, j -> (j % 16) - 7.5));
        cases.add(blocks("quarter steps", 2, j -> ((j * 5) % 17) * 0.25 - 2));
        cases.add(blocks("small integers", 4, j -> (j * 13 % 11) - 5));
        cases.add(blocks("two levels", 2, j -> j % 3 == 0 ? 0.3 : -0.7));
        cases.add(blocks("sign tie + first per 16", 2, j -> j % 16 == 2 ? 0.75 : j % 16 == 9 ? -0.75 : 0.2 * g.next()));
        cases.add(blocks("sign tie - first per 16", 2, j -> j % 16 == 2 ? -0.75 : j % 16 == 9 ? 0.75 : 0.2 * g.next()));
        cases.add(blocks("sign tie across sub-blocks", 2, j -> ((j / 16) % 2 == 0 ? 1 : -1) * (j % 16 == 4 ? 1.0 : 0.3 * g.next())));
        cases.add(blocks("equal sub-block scales", 2, j -> (j % 16) * 0.125 * ((j / 16) % 2 == 0 ? 1 : -1)));
        cases.add(blocks("subnormal", 2, j -> 1e-40 * g.next()));
        cases.add(blocks("smallest subnormals", 1, j -> j % 3 == 0 ? 1.4e-45 : j % 3 == 1 ? -2.8e-45 : 0.0));
        cases.add(blocks("subnormal sub-block among normals", 2, j -> j / 16 == 7 ? 1e-41 * g.next() : g.next()));
        cases.add(blocks("below 1e-15 groups", 2, j -> j / 16 % 2 == 0 ? 1e-17 * g.next() : g.next()));
        cases.add(blocks("huge", 2, j -> 3e38 * g.next()));
        cases.add(blocks("squares overflow", 2, j -> 1e20 * g.next()));
        cases.add(blocks("max float", 1, j -> j % 5 == 0 ? Float.MAX_VALUE : j % 5 == 1 ? -Float.MAX_VALUE : g.next()));
        cases.add(blocks("binades 2^-30..2^30", 8, j -> Math.scalb(g.next(), ((j / 16) * 7) % 61 - 30)));
        cases.add(blocks("fp16 overflow of the scale", 1, j -> j == 5 ? 7e5 : 0.01 * g.next()));
        // the 32-value types: Q8_0 with amax 127 (d = 1, so x*id is x and half-integers are roundf ties),
        // Q4_0 with max -8 (d = 1: x + 8.5 lands on integers and halves), a first max of each sign per 32
        cases.add(blocks("roundf ties at d = 1", 2, j -> j % 32 == 7 ? 127 : ((j * 5) % 64) - 31.5));
        cases.add(blocks("unit scale grid", 2, j -> j % 32 == 0 ? -8 : ((j * 3) % 33) * 0.5 - 8));
        cases.add(blocks("sign tie + first per 32", 2, j -> j % 32 == 20 ? 0.5 : j % 32 == 21 ? -0.5 : 0.3 * g.next()));
        // a zero minimum (maximum) whose sign is that of the first zero, not the vector MIN's -0
        cases.add(blocks("all >= 0, +0 before -0", 2, j -> j % 32 == 3 ? 0.0 : j % 32 == 9 ? -0.0 : Math.abs(g.next())));
        cases.add(blocks("all >= 0, -0 before +0", 2, j -> j % 32 == 3 ? -0.0 : j % 32 == 9 ? 0.0 : Math.abs(g.next())));
        cases.add(blocks("all <= 0, +0 before -0", 2, j -> j % 32 == 3 ? 0.0 : j % 32 == 9 ? -0.0 : -Math.abs(g.next())));
        cases.add(blocks("all <= 0, -0 before +0", 2, j -> j % 32 == 3 ? -0.0 : j % 32 == 9 ? 0.0 : -Math.abs(g.next())));
        // the reciprocal of a subnormal scale overflows: codes from infinite products (C's cast: 0x80000000)
        cases.add(blocks("scale whose reciprocal overflows", 1, j -> j % 32 == 0 ? 3e-38 : 1e-39 * g.next()));
        java.util.Random gauss = new java.util.Random(5);
        cases.add(blocks("gaussian, model-like scale", 32, j -> 0.02 * gauss.nextGaussian()));
        cases.add(blocks("heavy tails", 32, j -> gauss.nextGaussian() * Math.exp(2 * gauss.nextGaussian())));
        cases.add(blocks("all >= 0", 2, j -> Math.abs(g.next())));
        cases.add(blocks("all <= 0", 2, j -> -Math.abs(g.next())));
        float nan = Float.NaN;
        float negNan = Float.intBitsToFloat(0xFFC00000);
        float inf = Float.POSITIVE_INFINITY;
        cases.add(blocks("NaN first of sub-blocks", 2, j -> j % 16 == 0 ? nan : g.next()));
        cases.add(blocks("NaN middle", 2, j -> j % 37 == 11 ? nan : g.next()));
        cases.add(blocks("NaN last of sub-blocks", 2, j -> j % 32 == 31 ? nan : g.next()));
        // built without a trip through double, which need not keep a NaN's sign
        cases.add(new Case("negative NaN", fill(2 * QK_K, j -> j % 29 == 3 ? negNan : g.next())));
        cases.add(blocks("all NaN", 1, j -> nan));
        cases.add(blocks("+Inf first", 2, j -> j % 16 == 0 ? inf : g.next()));
        cases.add(blocks("-Inf middle", 2, j -> j % 23 == 7 ? -inf : g.next()));
        cases.add(blocks("+Inf and -Inf", 1, j -> j == 3 ? inf : j == 200 ? -inf : g.next()));
        cases.add(blocks("all +Inf", 1, j -> inf));
        cases.add(blocks("all -Inf", 1, j -> -inf));
        cases.add(blocks("NaN in a constant sub-block", 1, j -> j == 40 ? nan : j / 32 == 1 ? 0.5 : g.next()));
        return cases;
    }

    private static Case blocks(String name, int nBlocks, IntToDoubleFunction value) {
        return new Case(name, fill(nBlocks * QK_K, j -> (float) value.applyAsDouble(j % QK_K)));
    }

    private static float[] fill(int n, IntToFloat f) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = f.apply(i);
        }
        return v;
    }

    @FunctionalInterface
    private interface IntToFloat {
        float apply(int i);
    }
}
