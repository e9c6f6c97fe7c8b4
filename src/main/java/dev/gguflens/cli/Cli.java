package dev.gguflens.cli;

import dev.gguflens.report.SafeText;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;

/** Builds the picocli command line with gguflens' exit codes and error handling. */
final class Cli {
    /** The subcommands by name, in the order the top-level help lists them. */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("inspect", InspectCommand::new);
        COMMANDS.put("simulate", SimulateCommand::new);
        COMMANDS.put("quantize", QuantizeCommand::new);
        COMMANDS.put("fit", FitCommand::new);
        COMMANDS.put("help", CommandLine.HelpCommand::new);
    }

    private Cli() {
    }

    /**
     * The command line for {@code args}. picocli reads every option of a command by reflection when it is added,
     * a few tens of milliseconds per command at start-up, so when {@code args} start with a command's name only
     * that command is added; otherwise (top-level help, {@code --version}, {@code help}, a misspelt command, which
     * picocli answers with the closest names) all of them are.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        boolean one = COMMANDS.containsKey(first) && !first.equals("help");
        COMMANDS.forEach((name, command) -> {
            if (!one || name.equals(first)) {
                cl.addSubcommand(name, command.get());
            }
        });
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCode.USAGE);
        // Write in the charset of the streams themselves (what the terminal, or a test, expects).
        cl.setOut(writer(System.out, false));
        cl.setErr(writer(System.err, true));
        cl.setParameterExceptionHandler((ex, unmatched) -> {
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
