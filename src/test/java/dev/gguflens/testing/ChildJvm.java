package dev.gguflens.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a fresh JVM (the one running the tests), for what only a new
 * JVM can show: which codec implementation it picks without the vector module, or at a forced width.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /** What the child did: its exit code and its output lines. */
    public record Result(int exitCode, List<String> stdout, List<String> stderr) {
    }

    /**
     * Runs {@code java <jvmArgs> -cp <this classpath> <mainClass>} and waits for it (at most 10 minutes).
     *
     * @param jvmArgs options before the class path, e.g. {@code --add-modules jdk.incubator.vector}
     */
    public static Result run(List<String> jvmArgs, String mainClass) throws IOException, InterruptedException {
        return run(jvmArgs, java.util.Map.of(), mainClass, List.of());
    }

    /**
     * Runs {@code java <jvmArgs> -cp <this classpath> <mainClass> <args>} with {@code env} added to this
     * process's environment (what a test cannot change in its own JVM), and waits for it.
     */
    public static Result run(List<String> jvmArgs, java.util.Map<String, String> env, String mainClass, List<String> args)
            throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        command.add("-Xmx1g");
        for (String property : List.of("gguflens.oracle", "gguflens.testdata")) {
            if (System.getProperty(property) != null) {
                command.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Path out = Files.createTempFile("gguflens-child", ".out");
        Path err = Files.createTempFile("gguflens-child", ".err");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("child JVM " + mainClass + " did not finish in 10 minutes");
            }
            return new Result(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
