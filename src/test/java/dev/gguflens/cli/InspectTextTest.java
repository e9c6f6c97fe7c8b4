package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect} as people read it: the summary lines, aligned tables, markdown, and what the options leave out. */
class InspectTextTest {
    private static final String F16 = TestFiles.testdata("tiny-gqa-f16.gguf").toString();
    private static final String Q4KM = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf").toString();

    private static CommandRun ok(String... args) {
        CommandRun run = CommandRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.err(), "nothing on stderr");
        return run;
    }

    /** The value of the summary line with this label ("Label:   value"). */
    private static String summaryValue(CommandRun run, String label) {
        for (String line : run.outLines()) {
            if (line.startsWith(label + ":")) {
                return line.substring(label.length() + 1).strip();
            }
        }
        throw new AssertionError("no summary line '" + label + ":' in\n" + run.out());
    }

    @Test
    void summaryComesFirstAsLabelledLines() {
        CommandRun run = ok("inspect", F16);
        assertTrue(run.outLines().getFirst().startsWith("File:"), run.out());
        assertEquals("llama", summaryValue(run, "Architecture"));
        assertEquals("tiny-gqa", summaryValue(run, "Name"));
        assertEquals("1.44 M (1,443,072)", summaryValue(run, "Parameters"));
        assertEquals("F16", summaryValue(run, "File type"));
        assertEquals("2.77 MiB (2,901,760 bytes)", summaryValue(run, "File size"));
        // 1,441,792 F16 weights x 2 + 1,280 F32 norm weights x 4 = 2,888,704 bytes; x 8 / 1,443,072 = 16.014
        assertEquals("2.75 MiB (2,888,704 bytes) in 21 tensors", summaryValue(run, "Tensor data"));
        assertEquals("16.01", summaryValue(run, "Bits per weight"));
        assertEquals("2,048 tokens", summaryValue(run, "Context length"));
        assertEquals("2", summaryValue(run, "Layers"));
        assertEquals("4", summaryValue(run, "Attention heads"));
        assertEquals("2", summaryValue(run, "KV heads"));
        assertEquals("-", summaryValue(run, "Experts"));
        assertEquals("512 tokens", summaryValue(run, "Vocabulary"));

        // The values start in one column.
        List<Integer> valueColumns = new ArrayList<>();
        for (String line : run.outLines()) {
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            int col = colon + 1;
            while (line.charAt(col) == ' ') {
                col++;
            }
            valueColumns.add(col);
        }
        assertEquals(1, valueColumns.stream().distinct().count(), run.out());
    }

    @Test
    void quantizedFileShowsItsFileTypeLabelAndBitsPerWeight() {
        CommandRun run = ok("inspect", Q4KM);
        assertEquals("Q4_K_M (Q4_K - Medium)", summaryValue(run, "File type"));
        // 892,160 bytes x 8 / 1,443,072 parameters = 4.9459 (sum of the sizes in listings/*Q4_K_M*.json)
        assertEquals("871.25 KiB (892,160 bytes) in 21 tensors", summaryValue(run, "Tensor data"));
        assertEquals("4.95", summaryValue(run, "Bits per weight"));
    }

    @Test
    void typeTableIsAlignedAndMostBytesFirst() {
        List<String> lines = ok("inspect", "--no-metadata", "--no-tensors", Q4KM).outLines();
        int at = lines.indexOf("Tensor types");
        assertTrue(at > 0, String.join("\n", lines));
        // Q4_K: 13 tensors, 645,120 bytes = 630.00 KiB, 72.3% of 892,160; Q6_K: 3, 241,920 = 236.25 KiB, 27.1%;
        // F32: 5 tensors of 256 floats, 5,120 bytes, 0.6%.
        assertEquals(List.of(
                "  TYPE  TENSORS  PARAMETERS        SIZE  SHARE",
                "  Q4_K       13   1,146,880  630.00 KiB  72.3%",
                "  Q6_K        3     294,912  236.25 KiB  27.1%",
                "  F32         5       1,280    5.00 KiB   0.6%"), lines.subList(at + 1, at + 5));
    }

    @Test
    void tensorTableListsIndexNameShapeTypeSizeAndOffset() {
        List<String> lines = ok("inspect", "--no-metadata", Q4KM).outLines();
        int at = indexOfPrefix(lines, "Tensors (21");
        assertEquals("Tensors (21; offsets from the data section at byte 13,120)", lines.get(at));
        assertEquals("   #  NAME                      SHAPE       TYPE        SIZE   OFFSET", lines.get(at + 1));
        assertEquals("   0  output.weight             [256, 512]  Q6_K  105.00 KiB        0", lines.get(at + 2));
        assertEquals("  20  blk.1.ffn_up.weight       [256, 512]  Q4_K   72.00 KiB  818,432", lines.get(at + 22));
        assertEquals(at + 23, lines.size(), "nothing after the tensors of a file without warnings");
    }

    @Test
    void metadataShowsTypesAndShortArrays() {
        List<String> lines = ok("inspect", "--no-tensors", F16).outLines();
        int at = lines.indexOf("Metadata (20 keys)");
        assertTrue(at > 0, String.join("\n", lines));
        assertTrue(lines.get(at + 1).matches("  KEY +TYPE +VALUE"), lines.get(at + 1));
        assertTrue(lines.contains(row("general.architecture", "STRING", "\"llama\"")), String.join("\n", lines));
        assertTrue(lines.contains(row("llama.context_length", "UINT32", "2048")));
        assertTrue(lines.contains(row("llama.attention.layer_norm_rms_epsilon", "FLOAT32", "1.0E-5")));
        String tokens = line(lines, "  tokenizer.ggml.tokens ");
        assertTrue(tokens.matches("  tokenizer\\.ggml\\.tokens +STRING\\[512] +\\[\"<unk>\", \"<s>\", \"</s>\", .*, \\.\\.\\. \\d+ more]"),
                tokens);
        assertTrue(tokens.length() < 120, "a shortened array fits a terminal line: " + tokens);
    }

    @Test
    void fullArraysShowsEveryElement() throws Exception {
        JsonNode listing = new ObjectMapper().readTree(TestFiles.testdata("listings/tiny-gqa-f16.gguf.json").toFile());
        JsonNode tokens = null;
        for (JsonNode kv : listing.get("kv")) {
            if (kv.get("key").asText().equals("tokenizer.ggml.tokens")) {
                tokens = kv.get("value");
            }
        }
        StringBuilder all = new StringBuilder("[");
        for (JsonNode t : tokens) {
            all.append(all.length() > 1 ? ", " : "").append('"').append(t.asText()).append('"');
        }
        all.append(']');
        for (String option : List.of("--full-arrays", "--full")) {
            String line = line(ok("inspect", "--no-tensors", option, F16).outLines(), "  tokenizer.ggml.tokens ");
            assertTrue(line.endsWith("  " + all), option + ": " + line);
        }
    }

    @Test
    void longStringsAreShortenedUnlessFull(@TempDir Path tmp) throws Exception {
        StringBuilder template = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            template.append("{% if message['role'] == 'user' %}\n");
        }
        Path f = Fixtures.write(tmp.resolve("template.gguf"), List.of(
                Fixtures.str("general.architecture", "llama"),
                Fixtures.str("tokenizer.chat_template", template.toString()),
                new MetadataEntry("tokenizer.chat_templates", GgufArray.ofStrings(List.of(template.toString())))),
                List.of(Fixtures.tensor("t", GgmlType.F32, 4)));
        String shortLine = line(ok("inspect", f.toString()).outLines(), "  tokenizer.chat_template ");
        assertTrue(shortLine.matches(".*STRING +\"\\{% if message\\['role'] == 'user' %}\\\\n.*\"\\.\\.\\. \\([0-9,]+ more chars\\)"),
                shortLine);
        assertTrue(shortLine.length() < 120, shortLine);
        int omitted = Integer.parseInt(shortLine.replaceAll(".*\\(([0-9,]+) more chars\\)", "$1").replace(",", ""));
        String shown = shortLine.replaceAll(".*STRING +\"(.*)\"\\.\\.\\. .*", "$1").replace("\\n", "\n");
        assertEquals(template.length(), shown.length() + omitted, "shown + omitted = the whole string");
        String arrayLine = line(ok("inspect", f.toString()).outLines(), "  tokenizer.chat_templates ");
        assertTrue(arrayLine.length() < 120, arrayLine);
        assertTrue(arrayLine.matches(".*STRING\\[1] +\\[\"\\{% if message[^\"]*\"\\.\\.\\.]"),
                "a long array element is cut and marked: " + arrayLine);

        String full = line(ok("inspect", "--full", f.toString()).outLines(), "  tokenizer.chat_template ");
        assertTrue(full.endsWith("\"" + template.toString().replace("\n", "\\n") + "\""), full);
    }

    @Test
    void markdownRendersTheSectionsAsTables() {
        List<String> lines = ok("inspect", "--markdown", Q4KM).outLines();
        assertEquals("# `tiny-gqa-f16-MOSTLY_Q4_K_M.gguf`", lines.getFirst());
        assertTrue(lines.contains("| Property | Value |"));
        assertTrue(lines.contains("| Bits per weight | 4.95 |"));
        assertTrue(lines.contains("| Architecture | `llama` |"));
        int types = lines.indexOf("## Tensor types");
        assertEquals(List.of("", "| Type | Tensors | Parameters | Size | Share |", "| --- | ---: | ---: | ---: | ---: |",
                "| Q4_K | 13 | 1,146,880 | 630.00 KiB | 72.3% |"), lines.subList(types + 1, types + 5));
        assertTrue(lines.contains("| `general.file_type` | UINT32 | `15` |"), String.join("\n", lines));
        assertTrue(lines.contains("| `tokenizer.ggml.tokens` | STRING[512] | `[\"<unk>\", \"<s>\", \"</s>\", \"<0x00>\", \"<0x01>\", ... 507 more]` |"),
                String.join("\n", lines));
        assertTrue(lines.contains("| 0 | `output.weight` | [256, 512] | Q6_K | 105.00 KiB | 0 |"));
        for (String l : lines) {
            if (l.startsWith("|")) {
                assertTrue(l.endsWith("|"), l);
            }
        }
    }

    @Test
    void tensorsOptionFiltersTheList() {
        List<String> lines = ok("inspect", "--no-metadata", "--tensors", "ffn_(up|down)", Q4KM).outLines();
        int at = indexOfPrefix(lines, "Tensors matching");
        assertEquals("Tensors matching 'ffn_(up|down)' (4 of 21; offsets from the data section at byte 13,120)", lines.get(at));
        List<String> names = lines.subList(at + 2, lines.size()).stream().map(l -> l.strip().split(" +")[1]).toList();
        assertEquals(List.of("blk.0.ffn_down.weight", "blk.0.ffn_up.weight", "blk.1.ffn_down.weight", "blk.1.ffn_up.weight"),
                names);
        assertTrue(lines.contains("  Q4_K       13   1,146,880  630.00 KiB  72.3%"), "the type table still covers all tensors");
    }

    @Test
    void noTensorsAndNoMetadataLeaveTheirSectionsOut() {
        CommandRun both = ok("inspect", "--no-tensors", "--no-metadata", F16);
        assertFalse(both.out().contains("Metadata ("));
        assertFalse(both.out().contains("Tensors ("));
        assertTrue(both.out().contains("Tensor types"));
        CommandRun noTensors = ok("inspect", "--no-tensors", F16);
        assertTrue(noTensors.out().contains("Metadata (20 keys)"));
        assertFalse(noTensors.out().contains("token_embd.weight"));
        CommandRun noMetadata = ok("inspect", "--no-metadata", F16);
        assertFalse(noMetadata.out().contains("tokenizer.ggml.tokens"));
        assertTrue(noMetadata.out().contains("token_embd.weight"));
        CommandRun md = ok("inspect", "--markdown", "--no-tensors", "--no-metadata", F16);
        assertFalse(md.out().contains("## Metadata"));
        assertFalse(md.out().contains("## Tensors ("));
    }

    @Test
    void helpReadsAsDocumentation() {
        CommandRun run = ok("inspect", "--help");
        for (String expected : List.of("Usage: gguflens inspect", "--json", "--markdown", "--tensors=REGEX", "--no-tensors",
                "--no-metadata", "--full, --full-arrays", "Exit codes:", "docs/json.md")) {
            assertTrue(run.out().contains(expected), expected + " in\n" + run.out());
        }
    }

    private static String row(String key, String type, String value) {
        return "  " + String.format("%-38s  %-12s  %s", key, type, value);
    }

    private static String line(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with '" + prefix + "' in\n" + String.join("\n", lines)));
    }

    private static int indexOfPrefix(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' in\n" + String.join("\n", lines));
    }
}
