package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.CommandRun;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every command's help prints cleanly: picocli reads descriptions as format strings, and a bare '%'
 * (as in "95% confidence") makes it print a warning on stderr and show the text unformatted.
 */
class HelpTextTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "inspect", "simulate", "quantize", "fit"})
    void helpPrintsOnStdoutAloneWithoutPicocliWarnings(String command) {
        CommandRun run = command.isEmpty() ? CommandRun.of("--help") : CommandRun.of(command, "--help");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err(), run::toString);
        assertTrue(run.out().contains("Usage: gguflens"), run::toString);
        assertFalse(run.out().contains("%n"), run::toString);
    }

    /** An example wider than the 80-column help would wrap into a line that reads as prose. */
    @ParameterizedTest
    @ValueSource(strings = {"inspect", "simulate", "quantize", "fit"})
    void everyExampleLineIsIndented(String command) {
        List<String> lines = CommandRun.of(command, "--help").outLines();
        int examples = lines.indexOf("Examples:");
        assertTrue(examples > 0, () -> String.join("\n", lines));
        for (String line : lines.subList(examples + 1, lines.size())) {
            if (line.isEmpty()) {
                break;
            }
            assertTrue(line.startsWith("  "), line);
        }
    }

    /** Only the command named first is built (Cli.commandLine); the top level and "help" still know every one. */
    @Test
    void theTopLevelHelpAndTheHelpCommandKnowEveryCommand() {
        String top = CommandRun.of("--help").out();
        int at = -1;
        for (String command : List.of("  inspect ", "  simulate ", "  quantize ", "  fit ", "  help ")) {
            int next = top.indexOf(command);
            assertTrue(next > at, command + " after the one before it in\n" + top);
            at = next;
        }
        for (String command : List.of("inspect", "simulate", "quantize", "fit")) {
            CommandRun help = CommandRun.of("help", command);
            assertEquals(0, help.exitCode(), help::toString);
            assertTrue(help.out().contains("Usage: gguflens " + command + " "), help::toString);
        }
    }

    @Test
    void simulateHelpShowsItsPercentSigns() {
        String out = CommandRun.of("simulate", "--help").out();
        assertTrue(out.contains("its 95% confidence interval"), out);
        assertTrue(out.contains("with 95% confidence intervals"), out);
    }
}
