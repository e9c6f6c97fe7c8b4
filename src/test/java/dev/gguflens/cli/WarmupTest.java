package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link Warmup}: a head start on a thread that cannot keep the JVM alive, and ends by itself. */
class WarmupTest {
    @Test
    void theHeadStartRunsOnADaemonThreadThatEnds() throws Exception {
        for (boolean codecs : new boolean[] {false, true}) {
            Thread t = Warmup.start(codecs);
            assertTrue(t.isDaemon(), "a daemon: the JVM exits whether or not it is done");
            assertEquals("gguflens-warmup", t.getName());
            t.join(60_000);
            assertFalse(t.isAlive(), "one pass, then it ends");
        }
    }
}
