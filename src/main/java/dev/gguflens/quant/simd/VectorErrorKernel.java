package dev.gguflens.quant.simd;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.PieceSums;
import dev.gguflens.quant.ref.ScalarErrorKernel;
import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ErrorKernel} on the Vector API, giving the scalar specification's very doubles at every width:
 * the 8 lanes of each sum are one double vector at 512 bits, two at 256 and four at 128. Histogram bins are
 * computed in vector lanes and then counted by a scalar loop, a block of values at a time. Until the JIT has
 * compiled the vector code, the scalar twin measures instead ({@link JitGate}).
 *
 * <p>A block's floats are first widened to doubles by a plain loop (exact; C2 vectorizes it) rather than loaded
 * as float vectors of half the width: the codecs use float vectors of the full width, and a second float shape
 * made the Vector API's shared type profiles name either class depending on timing. With the lowered compile
 * thresholds of {@code src/main/jvm/codec.options}, C2 then sometimes compiled a codec step against the wrong
 * class, and its vector operations ran on their slow Java fallbacks for the rest of the run.
 */
final class VectorErrorKernel implements ErrorKernel {
    /** The double shape: this JVM's width, but no wider than the 8 lanes of the contract. */
    private static final VectorShape SHAPE = VectorWidth.SHAPE.vectorBitSize() > 512 ? VectorShape.S_512_BIT : VectorWidth.SHAPE;
    // static final on purpose: C2 vectorizes only constant species (see VectorWidth)
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, SHAPE);
    private static final VectorSpecies<Long> L = VectorSpecies.of(long.class, SHAPE);
    /** Doubles per vector: 2, 4 or 8 (so the 8 lanes are 4, 2 or 1 vectors). */
    private static final int DL = D.length();
    /** Values whose bins are computed before they are counted: a multiple of 8 small enough to stay in L1. */
    private static final int BLOCK = 512;
    /** The bits of +Infinity: a |d| with higher bits is a NaN. */
    private static final long INFINITY_BITS = Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
    /** Offsets of the four sums' lanes in the accumulator array. */
    private static final int SSE = 0;
    private static final int X2 = LANES;
    private static final int Y2 = 2 * LANES;
    private static final int XY = 3 * LANES;
    /** Whatever values: the probe's input. */
    private static final double[] PROBE_VALUES = {0.5, -1, 2, 0, 1e-3, 7, -3, 0.25};
    /**
     * A probe is some 40 vector operations: tens of nanoseconds compiled, while interpreted or C1 code
     * allocates for each, microseconds in all.
     */
    private static final long PROBE_COMPILED_NANOS = 300;
    /** Slots of the extremes carried from block to block: the bits of max|d| and the lowest bin. */
    private static final int MAX_BITS = 0;
    private static final int LOW_BIN = 1;

    /**
     * Each thread's buffers for a block: its values widened to doubles and their bins. Per thread rather than per
     * call: a sample's pieces are about 256 values, and allocating the buffers for each piece doubled the kernel's
     * time per value there.
     */
    private static final ThreadLocal<BlockBuffers> BUFFERS = ThreadLocal.withInitial(BlockBuffers::new);

    /** The scalar twin, which measures while the vector code is not compiled yet (same results). */
    private final ErrorKernel scalar = new ScalarErrorKernel();
    private final JitGate gate = new JitGate(VectorErrorKernel::probe, PROBE_COMPILED_NANOS);

    @Override
    public void measure(float[] x, float[] y, int off, int count, PieceSums into) {
        if (gate.open()) {
            measureWithVectors(x, y, off, count, into);
        } else {
            scalar.measure(x, y, off, count, into);
        }
    }

    /** {@link #measure} on the vector code, compiled or not (for the differential tests). */
    void measureWithVectors(float[] x, float[] y, int off, int count, PieceSums into) {
        int[] counts = into.counts();
        int bulk = count - count % LANES;
        BlockBuffers buffers = BUFFERS.get();
        long[] bins = buffers.bins;
        double[] xs = buffers.x;
        double[] ys = buffers.y;
        double[] acc = buffers.acc;
        Arrays.fill(acc, 0);
        long[] extremes = buffers.extremes;
        extremes[MAX_BITS] = 0;
        extremes[LOW_BIN] = ErrorBins.BINS;
        for (int start = off; start < off + bulk; start += BLOCK) {
            int n = Math.min(BLOCK, off + bulk - start);
            widen(x, y, start, n, xs, ys);
            for (int lane = 0; lane < LANES; lane += DL) {
                part(xs, ys, lane, n, acc, bins, extremes);
            }
            count(bins, n, counts);
        }
        double maxAbs = Double.longBitsToDouble(extremes[MAX_BITS]);
        int low = (int) extremes[LOW_BIN];
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

    /**
     * Lanes {@code lane .. lane + DL - 1} of every sum over a widened block's values {@code 0 .. end} (a multiple
     * of 8 of them): elements {@code lane + 8k + (0 .. DL - 1)}. Their bins go to {@code bins} at the same
     * positions, and the bits of max|d| and the lowest bin to {@code extremes}. A method of its own, called for
     * every block, so the JIT compiles this loop early and on its own.
     */
    private static void part(double[] x, double[] y, int lane, int end, double[] acc, long[] bins, long[] extremes) {
        DoubleVector sse = DoubleVector.fromArray(D, acc, SSE + lane);
        DoubleVector sx = DoubleVector.fromArray(D, acc, X2 + lane);
        DoubleVector sy = DoubleVector.fromArray(D, acc, Y2 + lane);
        DoubleVector sxy = DoubleVector.fromArray(D, acc, XY + lane);
        LongVector max = LongVector.zero(L); // the bits of max|d|
        LongVector lo = LongVector.broadcast(L, ErrorBins.BINS);
        LongVector infinity = LongVector.broadcast(L, INFINITY_BITS);
        for (int i = lane; i < end; i += LANES) {
            DoubleVector xd = DoubleVector.fromArray(D, x, i);
            DoubleVector yd = DoubleVector.fromArray(D, y, i);
            DoubleVector d = xd.sub(yd);
            sse = sse.add(d.mul(d));
            sx = sx.add(xd.mul(xd));
            sy = sy.add(yd.mul(yd));
            sxy = sxy.add(xd.mul(yd));
            // |d| as bits (d without its sign bit), handled without masks, which are slow at 128 bits: the
            // bits of |d| order as the values do, and a NaN's are above +Infinity's.
            LongVector bits = d.reinterpretAsLongs().and(Long.MAX_VALUE);
            LongVector nan = infinity.sub(bits).lanewise(VectorOperators.ASHR, 63); // -1 for a NaN, else 0
            LongVector nonZero = bits.neg().lanewise(VectorOperators.ASHR, 63);     // -1 unless |d| is 0
            max = max.max(bits.lanewise(VectorOperators.AND_NOT, nan)); // a NaN counts as 0: it never wins
            // the clamped bin is the top one for a NaN: minus -1, it lands in the slot nobody reads
            LongVector bin = bits.lanewise(VectorOperators.LSHR, ErrorBins.SHIFT).sub(ErrorBins.OFFSET)
                    .max(0L).min(ErrorBins.BINS - 2).add(1L).and(nonZero).sub(nan);
            lo = lo.min(bin);
            bin.intoArray(bins, i);
        }
        sse.intoArray(acc, SSE + lane);
        sx.intoArray(acc, X2 + lane);
        sy.intoArray(acc, Y2 + lane);
        sxy.intoArray(acc, XY + lane);
        extremes[MAX_BITS] = Math.max(extremes[MAX_BITS], max.reduceLanes(VectorOperators.MAX));
        extremes[LOW_BIN] = Math.min(extremes[LOW_BIN], lo.reduceLanes(VectorOperators.MIN));
    }

    /**
     * Runs the block loop on the 8 values of {@link #PROBE_VALUES}, one vector iteration per part: what
     * the {@link JitGate} times, and what gets {@link #part} compiled before any real piece runs on it.
     */
    private static void probe() {
        double[] acc = new double[4 * LANES];
        long[] bins = new long[LANES];
        long[] extremes = {0, ErrorBins.BINS};
        for (int lane = 0; lane < LANES; lane += DL) {
            part(PROBE_VALUES, PROBE_VALUES, lane, LANES, acc, bins, extremes);
        }
    }

    /** Values {@code start .. start + n - 1} of {@code x} and {@code y} as doubles (exact), from index 0. */
    private static void widen(float[] x, float[] y, int start, int n, double[] xd, double[] yd) {
        // one array per loop: C2 vectorizes each
        for (int k = 0; k < n; k++) {
            xd[k] = x[start + k];
        }
        for (int k = 0; k < n; k++) {
            yd[k] = y[start + k];
        }
    }

    /** A block's values as doubles and their bins, and a piece's sums and extremes ({@link #BUFFERS}). */
    private static final class BlockBuffers {
        final double[] x = new double[BLOCK];
        final double[] y = new double[BLOCK];
        final long[] bins = new long[BLOCK];
        final double[] acc = new double[4 * LANES];
        final long[] extremes = new long[2];
    }

    /** Counts the first {@code n} bins of a block. */
    private static void count(long[] bins, int n, int[] counts) {
        for (int k = 0; k < n; k++) {
            counts[(int) bins[k]]++;
        }
    }
}
