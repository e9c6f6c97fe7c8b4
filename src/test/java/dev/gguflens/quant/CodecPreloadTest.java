package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.gguflens.gguf.GgmlType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Codecs#preload}: a head start only, which changes no result. */
class CodecPreloadTest {
    @Test
    void thePreloadLeavesTheCodecsAsTheyWere() throws Exception {
        float[] x = new float[4 * 256];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        byte[][] before = {encode(GgmlType.Q4_K, x), encode(GgmlType.Q6_K, x)};

        // on another thread, as cli.Warmup runs it: the codecs' per-thread working state is that thread's
        Thread t = new Thread(Codecs::preload);
        t.start();
        t.join();
        Codecs.preload(); // and on this one, whose working state the encodings below then reuse

        assertArrayEquals(before[0], encode(GgmlType.Q4_K, x));
        assertArrayEquals(before[1], encode(GgmlType.Q6_K, x));
    }

    private static byte[] encode(GgmlType type, float[] x) {
        BlockCodec codec = Codecs.forType(type).orElseThrow();
        byte[] q = new byte[codec.encodedBytes(x.length)];
        codec.quantize(x, 0, q, 0, x.length);
        return q;
    }
}
