package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.TestFiles;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Child-JVM entry point of {@link CodecSelectionTest}: asks {@link Codecs} for codecs many times, quantizes
 * the Q4_K and Q6_K tensors of the llama.cpp Q4_K_M file in {@code testdata/} from their F16 source with
 * them, and prints which implementation it got and how many tensors differ from llama.cpp's bytes.
 */
public final class SelectionProbe {
    private SelectionProbe() {
    }

    public static void main(String[] args) throws Exception {
        int compared = 0;
        int differing = 0;
        try (GgufFile src = GgufReader.open(TestFiles.testdata("tiny-gqa-f16.gguf"));
             GgufFile out = GgufReader.open(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            for (TensorInfo t : out.tensors()) {
                BlockCodec codec = Codecs.forType(t.type()).orElseThrow();
                if (t.type() != GgmlType.Q4_K && t.type() != GgmlType.Q6_K) {
                    continue;
                }
                TensorInfo s = src.tensors().stream().filter(x -> x.name().equals(t.name())).findFirst().orElseThrow();
                float[] values = OracleTensors.decode(src, s);
                byte[] q = new byte[Math.toIntExact(t.bytes())];
                codec.quantize(values, 0, q, 0, values.length);
                compared++;
                if (!Arrays.equals(out.tensorData(t).toArray(ValueLayout.JAVA_BYTE), q)) {
                    differing++;
                }
            }
        }
        System.out.println("implementation=" + Codecs.implementation());
        System.out.println("q4k-codec=" + Codecs.forType(GgmlType.Q4_K).orElseThrow().getClass().getName());
        System.out.println("compared=" + compared);
        System.out.println("differing=" + differing);
    }
}
