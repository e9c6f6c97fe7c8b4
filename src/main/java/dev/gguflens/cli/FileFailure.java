package dev.gguflens.cli;

import java.nio.file.Path;

/**
 * A command failed because of one file the user named: printed as {@code gguflens: FILE: reason}
 * with the exit code of the failure's kind (3 invalid GGUF, 5 I/O).
 */
public final class FileFailure extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final int exitCode;

    public FileFailure(Path file, String reason, int exitCode, Throwable cause) {
        super(reason, cause);
        this.file = file;
        this.exitCode = exitCode;
    }

    public Path file() {
        return file;
    }

    public int exitCode() {
        return exitCode;
    }
}
