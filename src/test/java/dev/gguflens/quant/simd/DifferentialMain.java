package dev.gguflens.quant.simd;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import java.util.List;

/**
 * Child-JVM entry point of {@link SimdWidthsTest}: runs every {@link Differential} check and the error
 * kernel's ({@link ErrorKernelDifferential}) at the width this
 * JVM was started with ({@code -Dgguflens.vector.bits}), prints the width and each difference, and exits
 * 0 only when there is none.
 */
public final class DifferentialMain {
    private DifferentialMain() {
    }

    public static void main(String[] args) {
        VectorCodecProvider provider = new VectorCodecProvider();
        System.out.println(provider.description());
        int problems = 0;
        for (GgmlType type : Differential.TYPES) {
            BlockCodec simd = provider.codec(type).orElseThrow();
            if (simd.getClass() == Differential.reference(type).getClass()) {
                System.out.println(type + ": no vectorized codec");
                problems++;
                continue;
            }
            List<String> found = Differential.all(type, simd);
            found.forEach(System.out::println);
            problems += found.size();
            System.out.println(type + ": " + found.size() + " differences");
        }
        List<String> kernel = ErrorKernelDifferential.all((VectorErrorKernel) provider.errorKernel());
        kernel.forEach(System.out::println);
        System.out.println("error kernel: " + kernel.size() + " differences");
        problems += kernel.size();
        System.exit(problems == 0 ? 0 : 1);
    }
}
