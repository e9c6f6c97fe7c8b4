package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The weighted Q2_K encoder's skipped candidates change nothing: on {@link Q2KWeightedInputs} its bytes are
 * the scalar reference's, at this JVM's vector width and at each forced width (child JVMs, the width being
 * fixed per JVM); and with any weights, including those the codec's formula cannot make, its results are
 * those of the search without shortcuts ({@link ScaleMinSearch} with Q2_K's parameters, itself checked
 * against the reference by the codec tests).
 */
class Q2KWeightedSearchTest {

    @Test
    void givesTheResultsOfTheFullSearchWithAnyWeights() {
        assertEquals(List.of(), Q2KWeightedInputs.searchDifferences());
    }

    @Test
    void givesTheReferencesBytesAtThisWidth() {
        assertEquals(List.of(), Q2KWeightedInputs.differences(new VectorCodecProvider().codec(GgmlType.Q2_K).orElseThrow()));
    }

    @ParameterizedTest(name = "{0} bits")
    @ValueSource(ints = {128, 256, 512})
    void givesTheReferencesBytesAtEachWidth(int bits) throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "-Dgguflens.vector.bits=" + bits),
                Q2KWeightedInputsMain.class.getName());
        assertEquals(List.of("vector " + bits + "-bit", "0 differences"), r.stdout(), "stderr: " + r.stderr());
        assertEquals(0, r.exitCode());
    }
}
