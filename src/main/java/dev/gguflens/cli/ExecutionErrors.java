package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.report.SafeText;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The one place where a failing command becomes a message and an exit code: one line on stderr,
 * {@code gguflens: [FILE: ]reason}, never a stack trace. Messages are escaped on the way out, since
 * format errors quote keys and tensor names from the file.
 */
final class ExecutionErrors implements CommandLine.IExecutionExceptionHandler {
    /** Set to print the stack trace of an internal error (a bug) as well. */
    static final String DEBUG_VARIABLE = "GGUFLENS_DEBUG";
    /** Exit code of an internal error: picocli's code for an exception in a command. */
    static final int INTERNAL_ERROR = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        String message;
        switch (ex) {
            case FileFailure f -> {
                // The path is as the user typed it, and the reader already quotes file contents in its
                // messages (\xNN): only controls are escaped here, so nothing is escaped twice.
                message = SafeText.escapeControls(f.file().toString()) + ": " + SafeText.escapeControls(f.getMessage());
                code = f.exitCode();
            }
            case GgufFormatException g -> {
                message = SafeText.escapeControls(g.getMessage());
                code = ExitCode.INVALID_GGUF;
            }
            case IOException io -> {
                message = SafeText.escape(InputFiles.reason(io));
                code = ExitCode.IO;
            }
            case UncheckedIOException io -> {
                message = SafeText.escape(InputFiles.reason(io.getCause()));
                code = ExitCode.IO;
            }
            default -> {
                message = SafeText.escape("internal error (please report it): " + ex);
                code = INTERNAL_ERROR;
                if (System.getenv(DEBUG_VARIABLE) != null) {
                    ex.printStackTrace(err);
                } else {
                    message += " (set " + DEBUG_VARIABLE + "=1 for details)";
                }
            }
        }
        err.println("gguflens: " + message);
        err.flush();
        return code;
    }
}
