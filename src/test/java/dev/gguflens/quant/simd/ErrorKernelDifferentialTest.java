package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.gguflens.quant.PieceSums;
import dev.gguflens.quant.ref.ScalarErrorKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The vectorized error kernel against the scalar specification at this JVM's vector width (the CPU's
 * preferred one in a plain test run; {@link SimdWidthsTest} covers 128, 256 and 512 bits): the very same
 * doubles, bin range and counts.
 */
class ErrorKernelDifferentialTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();

    private static VectorErrorKernel kernel() {
        return assertInstanceOf(VectorErrorKernel.class, PROVIDER.errorKernel());
    }

    @Test
    void randomPiecesGiveTheSameDoublesAndCounts() {
        assertEquals(List.of(), ErrorKernelDifferential.randomPieces(kernel()));
    }

    @Test
    void hazardsGiveTheSameDoublesAndCounts() {
        assertEquals(List.of(), ErrorKernelDifferential.hazards(kernel()));
    }

    /** Whichever code the gate picks on each call (the scalar twin at first), the results are the specification's. */
    @Test
    void theGatedKernelMeasuresAsTheSpecification() {
        VectorErrorKernel k = new VectorErrorKernel();
        float[] x = new float[1003];
        float[] y = new float[1003];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i) * (i % 7);
            y[i] = Math.round(x[i] * 8) / 8f;
        }
        for (int call = 0; call < 3000; call++) {
            PieceSums want = new PieceSums();
            PieceSums got = new PieceSums();
            int off = call % 5;
            new ScalarErrorKernel().measure(x, y, off, 997, want);
            k.measure(x, y, off, 997, got);
            assertEquals(want.sse(), got.sse(), 0.0, "call " + call);
            assertEquals(want.sumXY(), got.sumXY(), 0.0, "call " + call);
            assertEquals(want.maxAbs(), got.maxAbs(), 0.0, "call " + call);
            assertEquals(want.lowBin(), got.lowBin(), "call " + call);
            assertEquals(want.highBin(), got.highBin(), "call " + call);
        }
    }
}
