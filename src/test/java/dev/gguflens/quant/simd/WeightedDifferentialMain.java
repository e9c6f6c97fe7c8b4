package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImatrixVectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Child-JVM entry point of {@link SimdWeightedWidthsTest}: runs every {@link WeightedDifferential} check at
 * the width this JVM was started with ({@code -Dgguflens.vector.bits}), prints the width and each
 * difference, and exits 0 only when there is none.
 */
public final class WeightedDifferentialMain {
    private WeightedDifferentialMain() {
    }

    public static void main(String[] args) {
        VectorCodecProvider provider = new VectorCodecProvider();
        System.out.println(provider.description());
        Map<String, ImatrixVectors.Expected> table = ImatrixVectors.expected();
        int problems = 0;
        for (GgmlType type : WeightedDifferential.TYPES) {
            BlockCodec simd = provider.codec(type).orElseThrow();
            List<String> found = new ArrayList<>(WeightedDifferential.vectorHashes(type, simd, table));
            found.addAll(WeightedDifferential.all(type, simd));
            found.forEach(System.out::println);
            problems += found.size();
            System.out.println(type + ": " + found.size() + " differences");
        }
        System.exit(problems == 0 ? 0 : 1);
    }
}
