package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import java.util.List;

/**
 * Child-JVM entry point of {@link Iq3VectorWidthsTest}: runs the {@link Iq3Differential} checks at the width
 * this JVM was started with ({@code -Dgguflens.vector.bits}), prints the width and each difference, and exits
 * 0 only when there is none.
 */
public final class Iq3DifferentialMain {
    private Iq3DifferentialMain() {
    }

    public static void main(String[] args) {
        VectorCodecProvider provider = new VectorCodecProvider();
        System.out.println(provider.description());
        int problems = 0;
        for (GgmlType type : Iq3Differential.TYPES) {
            List<String> found = Iq3Differential.all(type, provider.codec(type).orElseThrow());
            found.forEach(System.out::println);
            problems += found.size();
            System.out.println(type + ": " + found.size() + " differences");
        }
        System.exit(problems == 0 ? 0 : 1);
    }
}
