package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Codecs#preloadInBackground}: a head start only, on a thread that cannot keep the JVM alive or change any result. */
class CodecPreloadTest {
    @Test
    void thePreloadRunsOnADaemonThreadAndLeavesTheCodecsAsTheyWere() throws Exception {
        float[] x = new float[4 * 256];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        byte[][] before = {encode(GgmlType.Q4_K, x), encode(GgmlType.Q6_K, x)};

        Thread t = Codecs.preloadInBackground();
        assertTrue(t.isDaemon(), "a daemon: the JVM exits whether or not it is done");
        t.join(60_000);
        assertFalse(t.isAlive(), "one block per codec, then it ends");

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
