package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import dev.gguflens.quant.QuantVectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a codec and its scalar reference twin on the same inputs and describes every difference: bytes
 * from {@code quantize}, raw float bits (NaNs included) from {@code dequantize}, validity. Shared by
 * the in-process test and the child JVMs that test the other vector widths ({@link DifferentialMain}).
 */
final class Differential {
    static final List<GgmlType> TYPES = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.IQ4_XS);

    private Differential() {
    }

    static BlockCodec reference(GgmlType type) {
        return Codecs.reference(type).orElseThrow();
    }

    /** Every check below, for one type. */
    static List<String> all(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        problems.addAll(referenceVectors(type, simd));
        problems.addAll(hazards(type, simd));
        problems.addAll(oddBlockCounts(type, simd));
        problems.addAll(arbitraryBlocks(type, simd));
        problems.addAll(roundTrips(type, simd));
        return problems;
    }

    /**
     * Two blocks of sub-blocks of zeros (of 16 and of 32 values) among other values, with NaNs whose payloads are not
     * the default one: nearest_int of such a NaN is its payload, so a constant sub-block's levels must not be computed
     * from its values (ggml sets them to 0).
     */
    static float[] nanPayloads() {
        float[] v = new float[2 * HazardInputs.QK_K];
        for (int i = 0; i < v.length; i++) {
            boolean zero = i < HazardInputs.QK_K ? i / 16 % 3 == 0 : i / 32 % 2 == 0;
            v[i] = zero ? 0.0f : (float) Math.sin(i);
        }
        v[5] = Float.intBitsToFloat(0x7FC01234);
        v[51] = Float.intBitsToFloat(0xFFA00001);
        v[300] = Float.intBitsToFloat(0x7F812345);
        v[330] = Float.intBitsToFloat(0x7FC00042);
        return v;
    }

    /**
     * {@code quantizeAndDecode} against the reference's {@code quantize} then {@code dequantize}: the same bytes, and
     * the same float bits, on the §6 vectors, the hazards and {@link #nanPayloads}, in odd block counts at odd offsets.
     */
    static List<String> roundTrips(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        List<HazardInputs.Case> inputs = new ArrayList<>(HazardInputs.all());
        inputs.add(new HazardInputs.Case("random", QuantVectors.random()));
        inputs.add(new HazardInputs.Case("nasty", QuantVectors.nasty()));
        inputs.add(new HazardInputs.Case("NaN payloads in zero sub-blocks", nanPayloads()));
        BlockCodec ref = reference(type);
        int qk = type.blockSize();
        for (HazardInputs.Case c : inputs) {
            for (int blocks : new int[] {c.values().length / qk, 3, 17}) {
                int n = Math.min(blocks, c.values().length / qk - 1) * qk;
                if (n <= 0) {
                    n = c.values().length / qk * qk;
                }
                int off = c.values().length - n; // the last n values: an offset that is a multiple of nothing in particular
                byte[] want = new byte[3 + ref.encodedBytes(n)];
                byte[] got = new byte[want.length];
                float[] wantY = new float[7 + n];
                float[] gotY = new float[wantY.length];
                ref.quantize(c.values(), off, want, 3, n);
                ref.dequantize(want, 3, wantY, 7, n);
                simd.quantizeAndDecode(c.values(), off, got, 3, gotY, 7, n);
                String what = type + " round trip of " + c.name() + ", " + n / qk + " blocks";
                if (!Arrays.equals(want, got)) {
                    problems.add(what + ": other bytes than the reference's quantize");
                }
                for (int i = 0; i < wantY.length; i++) {
                    if (Float.floatToRawIntBits(wantY[i]) != Float.floatToRawIntBits(gotY[i])) {
                        problems.add(what + ": value " + (i - 7) + " is " + gotY[i] + ", the reference's round trip " + wantY[i]);
                        break;
                    }
                }
            }
        }
        return problems;
    }

    /** The {@code random}, {@code nasty} and {@code invalid} vectors of quantizers.md §6. */
    static List<String> referenceVectors(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        problems.addAll(compare(type, simd, QuantVectors.random(), 0, 0, "random"));
        problems.addAll(compare(type, simd, QuantVectors.nasty(), 0, 0, "nasty"));
        problems.addAll(compare(type, simd, QuantVectors.invalid(), 0, 0, "invalid"));
        return problems;
    }

    /** The generated {@link HazardInputs}. */
    static List<String> hazards(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        for (HazardInputs.Case c : HazardInputs.all()) {
            problems.addAll(compare(type, simd, c.values(), 0, 0, c.name()));
        }
        return problems;
    }

    /** Block counts that leave part of a vector group empty, at offsets that are not multiples of anything. */
    static List<String> oddBlockCounts(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        float[] random = QuantVectors.random();
        int qk = type.blockSize();
        for (int blocks : new int[] {1, 2, 3, 5, 7, 17, 33}) {
            float[] slice = Arrays.copyOfRange(random, 0, 3 + blocks * qk);
            System.arraycopy(random, qk * blocks, slice, 3, blocks * qk);
            problems.addAll(compare(type, simd, slice, 3, 5, blocks + " blocks at offset 3"));
        }
        return problems;
    }

    /** Arbitrary block bytes (NaN and infinite scales included) and the decode vectors of §8 decode alike. */
    static List<String> arbitraryBlocks(GgmlType type, BlockCodec simd) {
        List<String> problems = new ArrayList<>();
        HazardInputs.Lcg g = new HazardInputs.Lcg(type.id());
        byte[] noise = new byte[301 * type.typeSize()];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) Float.floatToRawIntBits(g.next());
        }
        for (byte[] data : List.of(noise, QuantVectors.decodeBlocks(type))) {
            int n = data.length / type.typeSize() * type.blockSize();
            float[] want = new float[n];
            float[] got = new float[n];
            reference(type).dequantize(data, 0, want, 0, n);
            simd.dequantize(data, 0, got, 0, n);
            floatBits(want, got, type + " " + (data == noise ? "random bytes" : "decode vectors") + " decoded")
                    .ifPresent(problems::add);
        }
        return problems;
    }

    /**
     * Quantizes {@code input[srcOff ..]} (whole blocks) with both codecs into buffers at {@code dstOff},
     * then decodes the reference's bytes with both.
     */
    static List<String> compare(GgmlType type, BlockCodec simd, float[] input, int srcOff, int dstOff, String what) {
        BlockCodec ref = reference(type);
        int n = input.length - srcOff;
        byte[] want = new byte[dstOff + ref.encodedBytes(n)];
        byte[] got = new byte[want.length];
        ref.quantize(input, srcOff, want, dstOff, n);
        simd.quantize(input, srcOff, got, dstOff, n);
        List<String> problems = new ArrayList<>();
        bytes(type, want, got, dstOff, type + " " + what).ifPresent(problems::add);
        float[] wantF = new float[srcOff + n];
        float[] gotF = new float[wantF.length];
        ref.dequantize(want, dstOff, wantF, srcOff, n);
        simd.dequantize(want, dstOff, gotF, srcOff, n);
        floatBits(wantF, gotF, type + " " + what + " dequantized").ifPresent(problems::add);
        long nb = n / type.blockSize();
        long a = ref.firstInvalidBlock(want, dstOff, nb);
        long b = simd.firstInvalidBlock(want, dstOff, nb);
        if (a != b) {
            problems.add(type + " " + what + ": first invalid block " + b + ", the reference says " + a);
        }
        return problems;
    }

    private static java.util.Optional<String> bytes(GgmlType type, byte[] want, byte[] got, int dstOff, String what) {
        List<String> diffs = new ArrayList<>();
        int count = 0;
        for (int k = 0; k < want.length; k++) {
            if (want[k] != got[k]) {
                count++;
                if (diffs.size() < 6) {
                    int rel = k - dstOff;
                    diffs.add("block " + rel / type.typeSize() + " byte " + rel % type.typeSize() + ": "
                            + (got[k] & 0xFF) + " not " + (want[k] & 0xFF));
                }
            }
        }
        return count == 0 ? java.util.Optional.empty()
                : java.util.Optional.of(what + ": " + count + " quantized bytes differ from the reference, " + diffs);
    }

    private static java.util.Optional<String> floatBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            int a = Float.floatToRawIntBits(want[i]);
            int b = Float.floatToRawIntBits(got[i]);
            if (a != b) {
                return java.util.Optional.of(what + ": value " + i + " has bits " + Integer.toHexString(b)
                        + ", the reference's " + Integer.toHexString(a));
            }
        }
        return java.util.Optional.empty();
    }
}
