package dev.gguflens.cli;

import dev.gguflens.report.SafeText;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;

/** Builds the picocli command line with gguflens' exit codes and error handling. */
final class Cli {
    private Cli() {
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        // Write in the charset of the streams themselves (what the terminal, or a test, expects).
        cl.setOut(writer(System.out, false));
        cl.setErr(writer(System.err, true));
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("gguflens: " + SafeText.escape(ex.getMessage()));
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCode.USAGE;
        });
        cl.setExecutionExceptionHandler(new ExecutionErrors());
        return cl;
    }

    private static PrintWriter writer(PrintStream stream, boolean autoFlush) {
        return new PrintWriter(new OutputStreamWriter(stream, stream.charset()), autoFlush);
    }
}
