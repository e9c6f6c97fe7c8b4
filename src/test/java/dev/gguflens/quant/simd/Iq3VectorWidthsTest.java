package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.testing.ChildJvm;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vectorized IQ3_XXS and IQ3_S encoders give ggml's and the reference's bytes ({@link Iq3Differential})
 * at each forced vector width, each in a child JVM started with {@code -Dgguflens.vector.bits}.
 */
class Iq3VectorWidthsTest {

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void iq3TypesGiveGgmlsAndTheReferencesBytesAtThisWidth(int bits) throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "-Dgguflens.vector.bits=" + bits),
                Iq3DifferentialMain.class.getName());
        assertEquals(List.of("vector " + bits + "-bit", "IQ3_XXS: 0 differences", "IQ3_S: 0 differences"), r.stdout(),
                "stderr: " + r.stderr());
        assertEquals(0, r.exitCode());
    }
}
