package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.ChildJvm;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The JVM options the launcher gives the commands that encode tensors (src/main/jvm/codec.options and
 * vector-directives.json): the JVM accepts them, they change no result and print nothing on standard output, and
 * the directives and compile commands name methods and packages that exist (a rename would silently drop them).
 */
class CodecJvmOptionsTest {
    private static final Path DIRECTIVES = Path.of("src/main/jvm/vector-directives.json");
    private static final Path OPTIONS = Path.of("src/main/jvm/codec.options");
    private static final Pattern SCALED_PACKAGE = Pattern.compile("CompileThresholdScaling,(dev\\.gguflens\\.[a-z.]+)\\.\\*::\\*,");
    /** A method of gguflens the directives name: in an inline list ({@code "-..."}) or as a match ({@code "..."}). */
    private static final Pattern METHOD = Pattern.compile("\"-?(dev/gguflens/[a-z/]+)/([A-Za-z0-9]+)\\.([A-Za-z0-9]+)\"");

    @Test
    void theDirectivesNameMethodsThatExist() throws Exception {
        Matcher m = METHOD.matcher(Files.readString(DIRECTIVES));
        int named = 0;
        while (m.find()) {
            Class<?> type = Class.forName(m.group(1).replace('/', '.') + "." + m.group(2));
            String name = m.group(3);
            assertTrue(Arrays.stream(type.getDeclaredMethods()).map(Method::getName).anyMatch(name::equals),
                    type.getName() + " has no method " + name);
            named++;
        }
        assertTrue(named >= 10, "the directives name the codecs' steps: found " + named);
    }

    @Test
    void theOptionsPreloadTheCodecsAndScaleThresholdsOfAPackageThatHoldsThem() throws Exception {
        String options = Files.readString(OPTIONS);
        assertTrue(options.lines().anyMatch(("-D" + Main.PRELOAD_PROPERTY + "=true")::equals), options);
        Matcher m = SCALED_PACKAGE.matcher(options);
        assertTrue(m.find(), options);
        // the package of the vector codecs (a class of it by name, as the option names the package)
        assertEquals(m.group(1), Class.forName("dev.gguflens.quant.simd.ScaleMinSearch").getPackageName());
    }

    @Test
    void aJvmWithTheLaunchersCodecOptionsGivesTheSameResult() throws Exception {
        String model = TestFiles.testdata("tiny-gqa-f16.gguf").toString();
        List<String> args = List.of("simulate", "--json", "--to", "Q4_K_M,Q6_K", "--error", "--threads", "2", model);
        // the java launcher reads the @-file itself, as it does for the gguflens launcher
        ChildJvm.Result child = ChildJvm.run(List.of("@" + OPTIONS, "-XX:CompilerDirectivesFile=" + DIRECTIVES),
                java.util.Map.of(), Main.class.getName(), args);
        assertEquals(0, child.exitCode(), () -> String.join("\n", child.stderr()));
        CommandRun here = CommandRun.of(args.toArray(String[]::new));
        assertEquals(0, here.exitCode(), here::toString);
        assertEquals(here.out().strip(), String.join("\n", child.stdout()).strip());
    }
}
