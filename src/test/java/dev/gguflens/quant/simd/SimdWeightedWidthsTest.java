package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized weighted encoders give ggml's bytes (the hashes of imatrix-vectors.tsv) and the reference's
 * ({@link WeightedDifferential#all}) at each forced vector width, each in a child JVM started with
 * {@code -Dgguflens.vector.bits} (the width is fixed per JVM).
 */
class SimdWeightedWidthsTest {

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void everyWeightedTypeGivesGgmlsBytesAtThisWidth(int bits) throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "-Dgguflens.vector.bits=" + bits),
                WeightedDifferentialMain.class.getName());
        List<String> expected = new ArrayList<>();
        expected.add("vector " + bits + "-bit");
        for (GgmlType t : WeightedDifferential.TYPES) {
            expected.add(t + ": 0 differences");
        }
        assertEquals(expected, r.stdout(), "stderr: " + r.stderr());
        assertEquals(0, r.exitCode());
    }
}
