package dev.gguflens.quant.ref;

import dev.gguflens.quant.ErrorBins;
import dev.gguflens.quant.ErrorKernel;
import dev.gguflens.quant.PieceSums;

/**
 * The specification of {@link ErrorKernel}: plain loops, one lane at a time, so the documented order of
 * the sums is there to read. Also the fallback where the Vector API is not available, and the stand-in
 * while the vector code is not compiled yet.
 */
public final class ScalarErrorKernel implements ErrorKernel {

    @Override
    public void measure(float[] x, float[] y, int off, int count, PieceSums into) {
        double[] sse = new double[LANES];
        double[] sumX2 = new double[LANES];
        double[] sumY2 = new double[LANES];
        double[] sumXY = new double[LANES];
        double max = 0;
        int lo = ErrorBins.BINS;
        int hi = -1;
        int[] counts = into.counts();
        int end = off + count;
        for (int j = 0; j < LANES; j++) {
            // lane j: elements off + j, off + j + 8, ... in increasing order, from 0.0
            double s = 0;
            double sx = 0;
            double sy = 0;
            double sxy = 0;
            for (int i = off + j; i < end; i += LANES) {
                double xd = x[i];
                double yd = y[i];
                double d = xd - yd;
                s += d * d;
                sx += xd * xd;
                sy += yd * yd;
                sxy += xd * yd;
                double a = Math.abs(d);
                if (a > max) {
                    max = a; // a NaN difference never wins, as in a C loop with '>'
                }
                if (a == a) {
                    int b = ErrorBins.bin(a);
                    counts[b]++;
                    lo = Math.min(lo, b);
                    hi = Math.max(hi, b);
                }
            }
            sse[j] = s;
            sumX2[j] = sx;
            sumY2[j] = sy;
            sumXY[j] = sxy;
        }
        into.set(ErrorKernel.fold(sse, 0), ErrorKernel.fold(sumX2, 0), ErrorKernel.fold(sumY2, 0),
                ErrorKernel.fold(sumXY, 0), max, lo, hi);
    }
}
