package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes every one of the 65,536 halves with the vectorized F16 codec and the reference and describes
 * every difference in raw float bits (NaN payloads and signs included), also at offsets and lengths that
 * leave a scalar tail. Shared by the in-process test and the child JVMs ({@link DifferentialMain}).
 */
final class F16Differential {
    private F16Differential() {
    }

    static List<String> allHalves(BlockCodec simd) {
        byte[] halves = new byte[2 * 65536 + 6];
        for (int h = 0; h < 65536; h++) {
            halves[2 * h] = (byte) h;
            halves[2 * h + 1] = (byte) (h >>> 8);
        }
        List<String> problems = new ArrayList<>();
        decode(simd, halves, 0, 0, 65536, problems);
        // odd byte offset: the halves are then the bytes' other pairing, still every value once over
        decode(simd, halves, 1, 3, 65536, problems);
        for (int n : new int[] {1, 3, 7, 15, 17, 33, 1000}) {
            decode(simd, halves, 2 * 31741, 2, n, problems);
        }
        return problems;
    }

    private static void decode(BlockCodec simd, byte[] src, int srcOff, int dstOff, int n, List<String> problems) {
        float[] want = new float[dstOff + n];
        float[] got = new float[dstOff + n];
        Differential.reference(GgmlType.F16).dequantize(src, srcOff, want, dstOff, n);
        simd.dequantize(src, srcOff, got, dstOff, n);
        int diffs = 0;
        String first = null;
        for (int i = 0; i < want.length; i++) {
            int a = Float.floatToRawIntBits(want[i]);
            int b = Float.floatToRawIntBits(got[i]);
            if (a != b) {
                diffs++;
                if (first == null) {
                    int at = srcOff + 2 * (i - dstOff);
                    int h = at >= 0 ? (src[at] & 0xFF) | (src[at + 1] & 0xFF) << 8 : -1;
                    first = "half " + Integer.toHexString(h) + " decodes to " + Integer.toHexString(b) + ", the reference's "
                            + Integer.toHexString(a);
                }
            }
        }
        if (diffs > 0) {
            problems.add("F16 " + n + " values at byte " + srcOff + ": " + diffs + " differ, e.g. " + first);
        }
    }
}
