package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The differential checks of {@link SimdCodecDifferentialTest} and {@link ErrorKernelDifferentialTest} at
 * each forced vector width. The width is
 * fixed per JVM (see {@code VectorWidth}), so each runs in a child JVM started with
 * {@code -Dgguflens.vector.bits}.
 */
class SimdWidthsTest {

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void everyTypeMatchesTheReferenceAtThisWidth(int bits) throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "-Dgguflens.vector.bits=" + bits),
                DifferentialMain.class.getName());
        List<String> expected = new java.util.ArrayList<>();
        expected.add("vector " + bits + "-bit");
        for (GgmlType t : Differential.TYPES) {
            expected.add(t + ": 0 differences");
        }
        expected.add("error kernel: 0 differences");
        assertEquals(expected, r.stdout(), "stderr: " + r.stderr());
        assertEquals(0, r.exitCode());
    }
}
