package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import java.util.List;

/**
 * Child-JVM entry point of {@link Q2KWeightedSearchTest}: compares the weighted Q2_K encoder with the
 * reference on {@link Q2KWeightedInputs} at the width this JVM was started with, prints the width and each
 * difference, and exits 0 only when there is none.
 */
public final class Q2KWeightedInputsMain {
    private Q2KWeightedInputsMain() {
    }

    public static void main(String[] args) {
        VectorCodecProvider provider = new VectorCodecProvider();
        System.out.println(provider.description());
        List<String> found = Q2KWeightedInputs.differences(provider.codec(GgmlType.Q2_K).orElseThrow());
        found.forEach(System.out::println);
        System.out.println(found.size() + " differences");
        System.exit(found.isEmpty() ? 0 : 1);
    }
}
