package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A file whose strings hold terminal controls cannot make {@code inspect} print them, in any output mode. */
class InspectTerminalSafetyTest {
    /** ESC (with a colour sequence), BEL, CR, RIGHT-TO-LEFT OVERRIDE, NEXT LINE (a C1 control), DEL. */
    private static final String EVIL = "\u001b[31mred\u0007\r\u202egnp.exe\u0085\u007f";
    private static final int[] RAW = {0x1b, 0x07, 0x0d, 0x202e, 0x0085, 0x7f};

    @TempDir
    static Path tmp;
    static Path file;

    @BeforeAll
    static void writeFile() throws Exception {
        file = Fixtures.write(tmp.resolve("evil.gguf"), List.of(
                Fixtures.str("general.architecture", "llama" + EVIL),
                Fixtures.str("general.name", "name" + EVIL),
                Fixtures.str("key" + EVIL, "value" + EVIL),
                new MetadataEntry("array" + EVIL, GgufArray.ofStrings(List.of(EVIL, "x" + EVIL))),
                Fixtures.str("tokenizer.chat_template", ("long " + EVIL).repeat(30))),
                List.of(Fixtures.tensor("tensor" + EVIL, GgmlType.F32, 8),
                        // A name over 63 bytes gives a reader warning that quotes nothing but still goes out.
                        Fixtures.tensor("long" + EVIL + "x".repeat(60), GgmlType.F32, 8)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--full", "--markdown", "--markdown --full", "--json", "--tensors gnp"})
    void noRawControlCharacterReachesStdout(String options) {
        List<String> args = new java.util.ArrayList<>(List.of("inspect"));
        if (!options.isEmpty()) {
            args.addAll(Arrays.asList(options.split(" ")));
        }
        args.add(file.toString());
        CommandRun run = CommandRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run::toString);
        assertNoRawControls(run.out());
        assertNoRawControls(run.err());
        if (!options.contains("--json")) {
            // The characters are shown, escaped: the user can see they are there.
            assertTrue(run.out().contains("\\x1b[31mred\\x07\\r\\u202egnp.exe\\x85\\x7f"), run.out());
        }
    }

    @Test
    void jsonEscapesButKeepsEveryCharacter() throws Exception {
        CommandRun run = CommandRun.of("inspect", "--json", file.toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().chars().allMatch(c -> c < 0x7f), "JSON output is pure printable ASCII");
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("name" + EVIL, json.get("summary").get("name").asText());
        assertEquals("key" + EVIL, json.get("metadata").get(2).get("key").asText());
        assertEquals("value" + EVIL, json.get("metadata").get(2).get("value").asText());
        assertEquals(EVIL, json.get("metadata").get(3).get("value").get("values").get(0).asText());
        assertEquals("tensor" + EVIL, json.get("tensors").get(0).get("name").asText());
    }

    @Test
    void errorMessagesQuotingTheFileAreEscapedToo() throws Exception {
        // Cut the file inside the value of the key "key<EVIL>": the format error names that key.
        byte[] all = Files.readAllBytes(file);
        byte[] key = ("key" + EVIL).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = indexOf(all, key);
        assertTrue(at > 0);
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(all, at + key.length + 4 + 8 + 2)); // key, type, length, 2 of 21 bytes
        CommandRun run = CommandRun.of("inspect", cut.toString());
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().size(), run::toString);
        // The reader quotes the key's bytes (UTF-8 of U+202E and U+0085 included) as \xNN.
        assertTrue(run.err().contains("key\\x1b[31mred\\x07\\x0d\\xe2\\x80\\xaegnp.exe\\xc2\\x85\\x7f"), run.err());
        assertNoRawControls(run.err());
    }

    private static void assertNoRawControls(String s) {
        for (int c : RAW) {
            assertTrue(s.indexOf(c) < 0, String.format("U+%04X printed raw", c));
        }
        // Nothing but line feeds below U+0020, no C1 controls at all.
        assertTrue(s.chars().noneMatch(c -> (c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f)), "a raw control character");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
