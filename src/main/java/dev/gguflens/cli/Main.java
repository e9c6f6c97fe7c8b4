package dev.gguflens.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gguflens} command: dispatches to one class per subcommand (added by {@link Cli#commandLine}). */
@Command(name = "gguflens", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Inspect GGUF files, predict what llama-quantize writes, measure what quantization loses, choose what fits in memory.")
public final class Main implements Runnable {
    /** Set by the launcher for the commands that encode tensors: start the codecs while the command line is parsed. */
    static final String PRELOAD_PROPERTY = "gguflens.preload";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // A command-line tool never opens a window: drawing a PNG must not need (or try to reach) a display.
        System.setProperty("java.awt.headless", "true");
        // The launcher asks for the codecs' head start when the command encodes tensors (see Warmup).
        Warmup.start(Boolean.getBoolean(PRELOAD_PROPERTY));
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cl = Cli.commandLine(args);
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (inspect, quantize, simulate, fit)");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"gguflens " + (v == null ? "(development build)" : v)};
        }
    }
}
