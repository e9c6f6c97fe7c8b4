package dev.gguflens.cli;

import dev.gguflens.quant.Codecs;
import java.util.Locale;

/**
 * A head start on what a command needs later, on a daemon thread started first thing: while the main thread
 * builds the command line's model and reads the file's header, a second core is mostly idle. Nothing here
 * changes a result, and nothing waits for it: a step the main thread reaches first is simply done there (class
 * initialization is done once, by whichever thread gets there first).
 */
final class Warmup {
    private Warmup() {
    }

    /**
     * Starts the head start: the codecs first ({@link Codecs#preload}, when {@code codecs}: the command encodes
     * tensors), then the number formatting every report uses. The first {@code String.format} of a JVM spends
     * about 25 ms loading the formatter and the locale data (grouped integers also java.text's DecimalFormat), in
     * line with the report at the end of the run. Last, the logger that {@code System.exit} consults (since JDK 21
     * {@code Runtime.exit} logs at DEBUG to {@code java.lang.Runtime}): its first lookup loads the logging backend
     * and searches for providers, 5 to 25 ms between a command's last output and the end of the process.
     */
    static Thread start(boolean codecs) {
        Thread t = new Thread(() -> {
            if (codecs) {
                Codecs.preload();
            }
            String.format(Locale.ROOT, "%.2f %.2e %+.1f%% %,d", 1.5, 1e-3, 2.0, 3000);
            System.getLogger("java.lang.Runtime").isLoggable(System.Logger.Level.DEBUG);
        }, "gguflens-warmup");
        t.setDaemon(true); // never keeps the JVM alive
        t.start();
        return t;
    }
}
