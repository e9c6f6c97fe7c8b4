package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The vectorized error kernel against the scalar specification at this JVM's vector width (the CPU's
 * preferred one in a plain test run; {@link SimdWidthsTest} covers 128, 256 and 512 bits): the very same
 * doubles, bin range and counts.
 */
class ErrorKernelDifferentialTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();

    @Test
    void theProviderHandsOutTheVectorKernel() {
        assertInstanceOf(VectorErrorKernel.class, PROVIDER.errorKernel());
    }

    @Test
    void randomPiecesGiveTheSameDoublesAndCounts() {
        assertEquals(List.of(), ErrorKernelDifferential.randomPieces(PROVIDER.errorKernel()));
    }

    @Test
    void hazardsGiveTheSameDoublesAndCounts() {
        assertEquals(List.of(), ErrorKernelDifferential.hazards(PROVIDER.errorKernel()));
    }
}
