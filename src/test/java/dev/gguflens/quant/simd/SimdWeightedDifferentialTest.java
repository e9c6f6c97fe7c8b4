package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vectorized weighted encoders at this JVM's vector width ({@link SimdWeightedWidthsTest} covers 128,
 * 256 and 512 bits): ggml's bytes and decoded floats on the imatrix test vector, and the scalar reference's
 * bytes and floats everywhere else.
 */
class SimdWeightedDifferentialTest {
    private static final VectorCodecProvider PROVIDER = new VectorCodecProvider();

    static Stream<GgmlType> types() {
        return WeightedDifferential.TYPES.stream();
    }

    private static BlockCodec vectorized(GgmlType type) {
        BlockCodec c = PROVIDER.codec(type).orElseThrow();
        assertNotEquals(Differential.reference(type).getClass(), c.getClass(), type + " has a vectorized codec");
        return c;
    }

    @ParameterizedTest
    @MethodSource("types")
    void imatrixVectorGivesGgmlsBytes(GgmlType type) {
        assertEquals(List.of(), WeightedDifferential.vectorHashes(type, vectorized(type), ImatrixVectors.expected()));
    }

    @ParameterizedTest
    @MethodSource("types")
    void referenceVectorsWithBothImportancesGiveTheReferencesBytes(GgmlType type) {
        assertEquals(List.of(), WeightedDifferential.referenceVectors(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void hazardsGiveTheReferencesBytes(GgmlType type) {
        assertEquals(List.of(), WeightedDifferential.hazards(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void rowsOf512And4096AtOddOffsetsGiveTheReferencesBytes(GgmlType type) {
        assertEquals(List.of(), WeightedDifferential.otherRows(type, vectorized(type)));
    }

    @ParameterizedTest
    @MethodSource("types")
    void outliersInUnimportantColumnsGiveTheReferencesBytes(GgmlType type) {
        assertEquals(List.of(), WeightedDifferential.unimportantOutliers(type, vectorized(type)));
    }
}
