package dev.gguflens.cli;

import dev.gguflens.report.SafeText;
import dev.gguflens.sim.Progress;
import dev.gguflens.sim.ProgressListener;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;

/**
 * Progress on stderr for the commands that go through tensor data: a bar redrawn in place when stderr
 * is a terminal (tensors done, MB/s, ETA), a plain line per tensor with {@code --verbose}, and nothing
 * otherwise, so logs and pipes stay clean.
 */
final class ProgressDisplay implements ProgressListener, AutoCloseable {
    private static final int BAR = 30;
    /** Redraws at most this often: a terminal need not see every chunk. */
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean bar;
    private final boolean verbose;
    private final Function<String, String> describe;
    private long lastDraw;
    private int drawnWidth;

    /**
     * @param describe what a per-tensor line says after the tensor's name (e.g. its types), given the name
     */
    private ProgressDisplay(PrintWriter err, boolean bar, boolean verbose, Function<String, String> describe) {
        this.err = err;
        this.bar = bar;
        this.verbose = verbose;
        this.describe = describe;
    }

    /** A bar if stderr is a terminal and lines are not asked for; lines with {@code verbose}; else silence. */
    static ProgressDisplay on(PrintWriter err, boolean verbose, Function<String, String> describe) {
        return new ProgressDisplay(err, !verbose && stderrIsTerminal(), verbose, describe);
    }

    @Override
    public void chunkDone(Progress p) {
        if (!bar) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS) {
            lastDraw = now;
            draw(p);
        }
    }

    @Override
    public void tensorDone(Progress p) {
        if (verbose) {
            err.printf(Locale.ROOT, "[%" + width(p.tensorsTotal()) + "d/%d] %s%s%n", p.tensorsDone(), p.tensorsTotal(),
                    SafeText.escape(p.tensor()), describe.apply(p.tensor()));
            err.flush();
        } else if (bar) {
            draw(p);
        }
    }

    private void draw(Progress p) {
        int filled = (int) Math.round(p.fraction() * BAR);
        String eta = p.etaSeconds() < 0 ? "--:--" : clock(p.etaSeconds());
        String line = String.format(Locale.ROOT, "[%s%s] %d/%d tensors  %.1f MB/s  ETA %s", "#".repeat(filled),
                ".".repeat(BAR - filled), p.tensorsDone(), p.tensorsTotal(), p.megabytesPerSecond(), eta);
        // Pad over a longer previous line, then return to the start of the line.
        err.print(line + " ".repeat(Math.max(0, drawnWidth - line.length())) + "\r");
        err.flush();
        drawnWidth = line.length();
    }

    /** Clears the bar, so whatever is printed next starts on a clean line. */
    @Override
    public void close() {
        if (bar && drawnWidth > 0) {
            err.print(" ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private static int width(int n) {
        return Integer.toString(n).length();
    }

    /**
     * Whether file descriptor 2 is a terminal. Java cannot ask this of stderr directly: where the system
     * shows it (Linux's /proc/self/fd/2) it is a terminal device; elsewhere, the console being a terminal
     * (stdin and stdout) stands in for it.
     */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            }
        } catch (java.io.IOException | SecurityException e) {
            // fall through to the console's answer
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
