package dev.gguflens.cli;

/** The process exit codes, in one place (DESIGN.md). */
public final class ExitCode {
    public static final int OK = 0;
    public static final int USAGE = 2;
    public static final int INVALID_GGUF = 3;
    public static final int IMPOSSIBLE = 4;
    public static final int IO = 5;
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}
