package dev.gguflens.cli;

import picocli.CommandLine;

/** Builds the picocli command line with gguflens' exit codes and error handling. */
final class Cli {
    private Cli() {
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("gguflens: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return ExitCode.USAGE;
        });
        return cl;
    }
}
