package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectorized K-quant codecs against their scalar reference twins at this JVM's vector width (the
 * CPU's preferred one in a plain test run; {@link SimdWidthsTest} covers 128, 256 and 512 bits):
 * identical bytes from {@code quantize} and identical raw float bits from {@code dequantize}.
 */
class SimdCodecDifferentialTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();

    static Stream<GgmlType> types() {
        return Differential.TYPES.stream();
    }

    private static BlockCodec vectorized(GgmlType type) {
        BlockCodec c = PROVIDER.codec(type).orElseThrow();
        assertNotEquals(Differential.reference(type).getClass(), c.getClass(), type + " has a vectorized codec");
        assertEquals(type, c.type());
        return c;
    }

    @ParameterizedTest
    @MethodSource("types")
    void referenceVectorsGiveTheSameBytesAndFloats(GgmlType type) {
        assertEquals(List.of(), Differential.referenceVectors(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void hazardsGiveTheSameBytesAndFloats(GgmlType type) {
        assertEquals(List.of(), Differential.hazards(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void oddBlockCountsAndOffsetsGiveTheSameBytesAndFloats(GgmlType type) {
        assertEquals(List.of(), Differential.oddBlockCounts(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void quantizeAndDecodeGivesTheReferencesBytesAndTheirDecodedBits(GgmlType type) {
        assertEquals(List.of(), Differential.roundTrips(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void arbitraryBlocksDecodeToTheSameBits(GgmlType type) {
        assertEquals(List.of(), Differential.arbitraryBlocks(type, vectorized(type)));
    }

    @Test
    void typesWithoutAVectorizedTwinComeFromTheReference() {
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_K)) {
            assertSame(Codecs.reference(type).orElseThrow(), PROVIDER.codec(type).orElseThrow(), type.name());
        }
        assertEquals(Codecs.reference(GgmlType.IQ2_XXS).isPresent(), PROVIDER.codec(GgmlType.IQ2_XXS).isPresent(),
                "a type the reference lacks is lacking here too");
    }
}
