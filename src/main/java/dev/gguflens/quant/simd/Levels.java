package dev.gguflens.quant.simd;

import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;

/**
 * The element-wise level computations of the K-quants' final steps, on one sub-block of 16 or 32 values
 * at a time, written as bytes (levels are 0..63). Element-wise work has no accumulation order, so plain
 * lane-wise vectors give the reference's bits.
 */
final class Levels {
    private Levels() {
    }

    /** {@code L = clamp(NI((x + dm)/dd), lo, hi)} (Q2_K, Q4_K, Q5_K with the stored scale and min). */
    static void shiftedDivided(float[] x, int xs, int len, float dm, float dd, int lo, int hi, byte[] out, int o) {
        for (int piece = 0; piece < len; piece += 16) {
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                FloatVector xv = VectorWidth.floats(x, xs + piece + p * VectorWidth.LANES);
                IntVector l = VectorWidth.levels(xv.add(dm).div(dd), lo, hi);
                bytes = bytes.or(VectorWidth.narrow(l, p));
            }
            bytes.intoArray(out, o + piece);
        }
    }

    /** {@code L = clamp(NI(x/dd), lo, hi) + offset} (Q3_K, Q6_K with the stored scale). */
    static void divided(float[] x, int xs, int len, float dd, int lo, int hi, int offset, byte[] out, int o) {
        for (int piece = 0; piece < len; piece += 16) {
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                FloatVector xv = VectorWidth.floats(x, xs + piece + p * VectorWidth.LANES);
                IntVector l = VectorWidth.levels(xv.div(dd), lo, hi).add(offset);
                bytes = bytes.or(VectorWidth.narrow(l, p));
            }
            bytes.intoArray(out, o + piece);
        }
    }

    /** {@code L = clamp(NI(iscale·x), lo, hi) + offset} (make_qx_quants' winning levels). */
    static void scaled(float[] x, int xs, int len, float iscale, int lo, int hi, int offset, byte[] out, int o) {
        for (int piece = 0; piece < len; piece += 16) {
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                FloatVector xv = VectorWidth.floats(x, xs + piece + p * VectorWidth.LANES);
                IntVector l = VectorWidth.levels(xv.mul(iscale), lo, hi).add(offset);
                bytes = bytes.or(VectorWidth.narrow(l, p));
            }
            bytes.intoArray(out, o + piece);
        }
    }

    /**
     * {@code L = clamp(NI(iscale·(x − min)), lo, hi)} (make_qkx2_quants' winning levels), all 0 for iscale 0: a
     * constant sub-block, whose levels make_qkx2_quants sets to 0 whatever its values (a NaN among them would give
     * nearest_int's garbage here).
     */
    static void scaledFromMin(float[] x, int xs, int len, float iscale, float min, int lo, int hi, byte[] out, int o) {
        if (iscale == 0) {
            Arrays.fill(out, o, o + len, (byte) 0);
            return;
        }
        FloatVector is = FloatVector.broadcast(VectorWidth.F, iscale);
        for (int piece = 0; piece < len; piece += 16) {
            ByteVector bytes = ByteVector.zero(VectorWidth.BYTES16);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                FloatVector xv = VectorWidth.floats(x, xs + piece + p * VectorWidth.LANES);
                IntVector l = VectorWidth.levels(is.mul(xv.sub(min)), lo, hi);
                bytes = bytes.or(VectorWidth.narrow(l, p));
            }
            bytes.intoArray(out, o + piece);
        }
    }

    /**
     * {@code y = dd·L − dm} for {@code len} levels (a multiple of 16) of {@code levels} from {@code o}, into {@code y}
     * from {@code yo}: the K-quants' {@code d1·q − m1} decoding, each product and difference rounded once as there.
     */
    static void decodeScaledShifted(byte[] levels, int o, int len, float dd, float dm, float[] y, int yo) {
        FloatVector scale = FloatVector.broadcast(VectorWidth.F, dd);
        for (int piece = 0; piece < len; piece += 16) {
            ByteVector bytes = VectorWidth.piece(levels, o + piece);
            for (int p = 0; p < VectorWidth.PARTS; p++) {
                scale.mul(VectorWidth.toFloats(VectorWidth.widen(bytes, p))).sub(dm)
                        .intoArray(y, yo + piece + p * VectorWidth.LANES);
            }
        }
    }
}
