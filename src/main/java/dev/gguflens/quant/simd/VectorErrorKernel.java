package dev.gguflens.quant.simd;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.PieceSums;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ErrorKernel} on the Vector API, giving the scalar specification's very doubles at every width:
 * the 8 lanes of each sum are one double vector at 512 bits, two at 256 and four at 128 (floats loaded at
 * half the width and widened exactly). Histogram bins are computed in vector lanes and then counted by a
 * scalar loop, a block of values at a time.
 */
final class VectorErrorKernel implements ErrorKernel {
    /** The double shape: this JVM's width, but no wider than the 8 lanes of the contract. */
    private static final VectorShape SHAPE = VectorWidth.SHAPE.vectorBitSize() > 512 ? VectorShape.S_512_BIT : VectorWidth.SHAPE;
    // static final on purpose: C2 vectorizes only constant species (see VectorWidth)
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, SHAPE);
    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, SHAPE);
    private static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(SHAPE.vectorBitSize() / 2));
    /** Doubles per vector: 2, 4 or 8. */
    private static final int DL = D.length();
    /** Vectors per 8 lanes: 4, 2 or 1. */
    private static final int PARTS = LANES / DL;
    /** Values whose bins are computed before they are counted: a multiple of 8 small enough to stay in L1. */
    private static final int BLOCK = 512;
    /** The bits of +Infinity: a |d| with higher bits is a NaN. */
    private static final long INFINITY_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
    /** Offsets of the four sums' lanes in the accumulator array. */
    private static final int SSE = 0;
    private static final int X2 = LANES;
    private static final int Y2 = 2 * LANES;
    private static final int XY = 3 * LANES;

    @Override
    public void measure(float[] x, float[] y, int off, int count, PieceSums into) {
        double[] acc = new double[4 * LANES];
        int[] counts = into.counts();
        int bulk = count - count % LANES;
        long[] bins = new long[Math.min(BLOCK, bulk)];
        LongVector max = LongVector.zero(L); // the bits of max|d|
        LongVector lo = LongVector.broadcast(L, ErrorBins.BINS);
        LongVector infinity = LongVector.broadcast(L, INFINITY_BITS);
        for (int start = off; start < off + bulk; start += BLOCK) {
            int end = Math.min(start + BLOCK, off + bulk);
            for (int p = 0; p < PARTS; p++) {
                // lanes p·DL .. p·DL + DL - 1 of every sum: elements start + p·DL + 8k + (0 .. DL - 1)
                int lane = p * DL;
                DoubleVector sse = DoubleVector.fromArray(D, acc, SSE + lane);
                DoubleVector sx = DoubleVector.fromArray(D, acc, X2 + lane);
                DoubleVector sy = DoubleVector.fromArray(D, acc, Y2 + lane);
                DoubleVector sxy = DoubleVector.fromArray(D, acc, XY + lane);
                for (int i = start + lane; i < end; i += LANES) {
                    DoubleVector xd = (DoubleVector) FloatVector.fromArray(HALF, x, i).convertShape(VectorOperators.F2D, D, 0);
                    DoubleVector yd = (DoubleVector) FloatVector.fromArray(HALF, y, i).convertShape(VectorOperators.F2D, D, 0);
                    DoubleVector d = xd.sub(yd);
                    sse = sse.add(d.mul(d));
                    sx = sx.add(xd.mul(xd));
                    sy = sy.add(yd.mul(yd));
                    sxy = sxy.add(xd.mul(yd));
                    // |d| as bits (d without its sign bit), handled without masks, which are slow at 128
                    // bits: the bits of |d| order as the values do, and a NaN's are above +Infinity's.
                    LongVector bits = d.reinterpretAsLongs().and(Long.MAX_VALUE);
                    LongVector nan = infinity.sub(bits).lanewise(VectorOperators.ASHR, 63); // -1 for a NaN, else 0
                    LongVector nonZero = bits.neg().lanewise(VectorOperators.ASHR, 63);     // -1 unless |d| is 0
                    max = max.max(bits.lanewise(VectorOperators.AND_NOT, nan)); // a NaN counts as 0: it never wins
                    // the clamped bin is the top one for a NaN: minus -1, it lands in the slot nobody reads
                    LongVector bin = bits.lanewise(VectorOperators.LSHR, ErrorBins.SHIFT).sub(ErrorBins.OFFSET)
                            .max(0L).min(ErrorBins.BINS - 2).add(1L).and(nonZero).sub(nan);
                    lo = lo.min(bin);
                    bin.intoArray(bins, i - start);
                }
                sse.intoArray(acc, SSE + lane);
                sx.intoArray(acc, X2 + lane);
                sy.intoArray(acc, Y2 + lane);
                sxy.intoArray(acc, XY + lane);
            }
            for (int k = 0, n = end - start; k < n; k++) {
                counts[(int) bins[k]]++;
            }
        }
        double maxAbs = Double.longBitsToDouble(max.reduceLanes(VectorOperators.MAX));
        int low = (int) lo.reduceLanes(VectorOperators.MIN);
        // the tail: element off + bulk + t is the last term of lane t
        for (int t = 0; t < count - bulk; t++) {
            int i = off + bulk + t;
            double xd = x[i];
            double yd = y[i];
            double d = xd - yd;
            acc[SSE + t] += d * d;
            acc[X2 + t] += xd * xd;
            acc[Y2 + t] += yd * yd;
            acc[XY + t] += xd * yd;
            double a = Math.abs(d);
            if (a > maxAbs) {
                maxAbs = a;
            }
            if (a == a) {
                int b = ErrorBins.bin(a);
                counts[b]++;
                low = Math.min(low, b);
            }
        }
        counts[ErrorBins.BINS] = 0;
        // bins grow with |d|, so the highest bin counted is the maximum's (when anything was counted)
        int high = low < ErrorBins.BINS ? ErrorBins.bin(maxAbs) : -1;
        into.set(ErrorKernel.fold(acc, SSE), ErrorKernel.fold(acc, X2), ErrorKernel.fold(acc, Y2), ErrorKernel.fold(acc, XY),
                maxAbs, low, high);
    }
}
