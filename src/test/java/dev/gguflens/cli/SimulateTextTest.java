package dev.gguflens.cli;

import static dev.gguflens.cli.SimulateRuns.F16;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code simulate} as people read it: the summary, the tensor table, the file-type table, markdown, terminal safety. */
class SimulateTextTest {

    /** The value of the summary line with this label ("Label:   value"). */
    private static String line(CommandRun run, String label) {
        for (String l : run.outLines()) {
            if (l.startsWith(label + ":")) {
                return l.substring(label.length() + 1).strip();
            }
        }
        throw new AssertionError("no line '" + label + ":' in\n" + run.out());
    }

    /** The lines of the table that follows the line starting with {@code heading}, header included. */
    private static List<String> table(CommandRun run, String heading) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String l : run.outLines()) {
            if (l.startsWith(heading)) {
                in = true;
            } else if (in && l.isEmpty()) {
                break;
            } else if (in) {
                out.add(l);
            }
        }
        assertFalse(out.isEmpty(), "no table under '" + heading + "' in\n" + run.out());
        return out;
    }

    private static List<String> firstColumn(List<String> table) {
        return table.subList(1, table.size()).stream().map(l -> l.strip().split("\\s+")[0]).toList();
    }

    @Test
    void oneFileTypeSummary() {
        CommandRun run = SimulateRuns.ok(F16, "--to", "q4_k_m");
        assertEquals(F16, line(run, "Source"));
        assertEquals("F16; 2.77 MiB (2,901,760 bytes); 1.44 M parameters; 16.01 bits per weight", line(run, "Source type"));
        assertEquals("Q4_K_M (Q4_K - Medium)", line(run, "Target"));
        assertEquals("llama-quantize's defaults", line(run, "Options"));
        assertEquals("none; with one (--imatrix FILE) llama-quantize would choose the same types", line(run, "Importance matrix"));
        // main tiny-gqa F16 MOSTLY_Q4_K_M: 905,280 bytes = 884.06 KiB; its tensors 892,160 bytes = 871.25 KiB.
        assertEquals("884.06 KiB (905,280 bytes)", line(run, "Output file"));
        assertEquals("871.25 KiB (892,160 bytes) in 21 tensors (16 converted, 5 copied)", line(run, "Tensor data"));
        // 892,160 x 8 / 1,443,072 = 4.946; the source: 2,888,704 x 8 / 1,443,072 = 16.014.
        assertEquals("4.95 (as llama.cpp counts: tensor bytes x 8 / 1,443,072 parameters; the source: 16.01)", line(run, "Bits per weight"));
        // 905,280 - 2,901,760 = -1,996,480 = -68.8% of the source.
        assertEquals("-1,996,480 bytes (-68.8%) against the source file", line(run, "Change"));
        assertFalse(run.out().contains("Requantization"), "an F16 source is not requantized");
        assertFalse(run.out().contains("Warnings"), run.out());
    }

    @Test
    void oneFileTypeTensorTableInOutputOrder() {
        CommandRun run = SimulateRuns.ok(F16, "--to", "Q4_K_M");
        List<String> t = table(run, "Tensors (21, in output order)");
        assertEquals(22, t.size());
        assertTrue(t.getFirst().matches("\\s+NAME\\s+SHAPE\\s+TYPE\\s+SIZE\\s+REASON"), t.getFirst());
        // llama.cpp's output order (expected-types.tsv): the non-layer tensors by name, then each layer's by name.
        assertEquals(List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight"),
                firstColumn(t).subList(0, 4));
        String down = t.stream().filter(l -> l.contains("blk.1.ffn_down.weight")).findFirst().orElseThrow();
        // expected-types.tsv: blk.1.ffn_down.weight [512, 256] Q6_K 107,520 bytes (105.00 KiB), from 512 x 256 x 2 = 256 KiB.
        assertTrue(down.matches("\\s+blk\\.1\\.ffn_down\\.weight\\s+\\[512, 256\\]\\s+F16 -> Q6_K\\s+256\\.00 KiB -> 105\\.00 KiB\\s+ffn_down: .+"),
                down);
        String norm = t.stream().filter(l -> l.contains("output_norm.weight")).findFirst().orElseThrow();
        assertTrue(norm.matches("\\s+output_norm\\.weight\\s+\\[256\\]\\s+F32 -> F32\\s+1\\.00 KiB ->\\s+1\\.00 KiB\\s+kept: 1-D"), norm);
        // The arrows line up.
        assertEquals(1, t.subList(1, t.size()).stream().map(l -> l.indexOf("-> ")).distinct().count(), String.join("\n", t));
    }

    @Test
    void sortFilterAndNoTensors() {
        List<String> bySize = firstColumn(table(SimulateRuns.ok(F16, "--to", "Q4_K_M", "--sort", "size"), "Tensors (21, largest output first)"));
        // The two Q6_K tensors of 107,520 bytes first, in output order; then the 73,728-byte Q4_K ones.
        assertEquals(List.of("output.weight", "blk.1.ffn_down.weight", "token_embd.weight"), bySize.subList(0, 3));
        List<String> byName = firstColumn(table(SimulateRuns.ok(F16, "--to", "Q4_K_M", "--sort", "NAME"), "Tensors (21, by name)"));
        assertEquals(byName.stream().sorted().toList(), byName);
        List<String> saving = firstColumn(table(SimulateRuns.ok(F16, "--to", "Q4_K_M", "--sort", "saving"), "Tensors (21, most bytes saved first)"));
        // token_embd and the Q4_K FFN weights, 256 KiB each, become 72 KiB: 188,416 bytes saved each, the most; ties in output order.
        assertEquals(List.of("token_embd.weight", "blk.0.ffn_down.weight", "blk.0.ffn_gate.weight"), saving.subList(0, 3));

        CommandRun filtered = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--tensors", "ffn_down");
        assertEquals(List.of("blk.0.ffn_down.weight", "blk.1.ffn_down.weight"),
                firstColumn(table(filtered, "Tensors matching 'ffn_down' (2 of 21, in output order)")));
        assertEquals("884.06 KiB (905,280 bytes)", line(filtered, "Output file"), "totals cover every tensor");

        CommandRun none = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--no-tensors");
        assertFalse(none.out().contains("Tensors"), none.out());
        assertEquals("884.06 KiB (905,280 bytes)", line(none, "Output file"));
    }

    @Test
    void allTableSmallestFirstWithNotes() {
        CommandRun run = SimulateRuns.ok(F16, "--all");
        assertEquals(F16, line(run, "Source"));
        List<String> t = table(run, "File types (36, 10 refused by llama-quantize), smallest output first");
        assertTrue(t.getFirst().matches("\\s+FILE TYPE\\s+STATUS\\s+SIZE\\s+BYTES\\s+BPW\\s+CHANGE\\s+NOTES"), t.getFirst());
        assertEquals(37, t.size());
        // main tiny-gqa F16: Q1_0 is the smallest (310,080 bytes = 302.81 KiB; -89.3% of 2,901,760).
        assertTrue(t.get(1).matches("\\s+Q1_0\\s+ok\\s+302\\.81 KiB\\s+310,080\\s+1\\.\\d\\d\\s+-89\\.3%\\s*"), t.get(1));
        assertTrue(t.getLast().matches("\\s+NVFP4\\s+failed(\\s+-){4}\\s+llama-quantize refuses: invalid output file type 39"), t.getLast());
        String f16 = t.stream().filter(l -> l.strip().startsWith("F16 ")).findFirst().orElseThrow();
        // llama.cpp rewrites an F16 file as F16 with its two keys moved to the end: 2,901,824 bytes, 64 more.
        assertTrue(f16.matches("\\s+F16\\s+ok\\s+2\\.77 MiB\\s+2,901,824\\s+16\\.01\\s+\\+0\\.0%\\s+the source's file type"), f16);
        assertEquals(10, t.stream().filter(l -> l.contains(" failed ")).count());
        assertEquals(9, t.stream().filter(l -> l.contains("needs an imatrix; with one: ")).count());
        assertTrue(run.out().contains("BPW: bits per weight as llama.cpp counts them"), run.out());
    }

    @Test
    void optionsAreEchoedInLlamaQuantizesSpelling() {
        CommandRun run = SimulateRuns.ok(F16, "--to", "Q4_K_M,Q8_0", "--pure", "--output-tensor-type", "Q8_0", "--tensor-type",
                "ATTN_V=q5_0", "--assume-imatrix");
        assertEquals("--pure --output-tensor-type q8_0 --tensor-type attn_v=q5_0 --assume-imatrix", line(run, "Options"));
        CommandRun one = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--imatrix", SimulateRuns.IMATRIX, "--no-tensors");
        assertEquals("--imatrix " + SimulateRuns.IMATRIX, line(one, "Options"));
        // llama-imatrix never collects token_embd.weight, which Q4_K_M converts: it goes without weights, and the line says so.
        assertEquals(SimulateRuns.IMATRIX + ": 15 entries, 1 chunk; adds its quantize.imatrix.* keys; quantized without its"
                + " weights: token_embd.weight (no entry)", line(one, "Importance matrix"));
    }

    @Test
    void requantizingTheShippedQ4KMFileSaysSo() {
        CommandRun run = SimulateRuns.ok(SimulateRuns.Q4KM, "--all");
        assertEquals("Q4_K_M (Q4_K - Medium); 884.06 KiB (905,280 bytes); 1.44 M parameters; 4.95 bits per weight", line(run, "Source type"));
        assertTrue(line(run, "Requantization").startsWith("the source is already quantized (Q4_K, Q6_K): planned as llama-quantize "
                + "--allow-requantize"), run.out());
        String q4km = table(run, "File types").stream().filter(l -> l.strip().startsWith("Q4_K_M ")).findFirst().orElseThrow();
        assertTrue(q4km.matches("\\s+Q4_K_M\\s+ok\\s+884\\.06 KiB\\s+905,280\\s+4\\.95\\s+\\+0\\.0%\\s+the source's file type"), q4km);
    }

    @Test
    void markdownTablesHaveOneCellPerColumn() {
        for (String[] args : List.of(new String[] {F16, "--to", "Q4_K_M", "--markdown"}, new String[] {F16, "--all", "--markdown"})) {
            CommandRun run = SimulateRuns.ok(args);
            List<String> lines = run.outLines();
            assertTrue(lines.getFirst().startsWith("# "), run.out());
            int tables = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("| ") && (i == 0 || !lines.get(i - 1).startsWith("|"))) {
                    tables++;
                    int columns = cells(lines.get(i));
                    assertTrue(lines.get(i + 1).matches("\\|( ---:? \\|)+"), lines.get(i + 1));
                    for (int j = i + 1; j < lines.size() && lines.get(j).startsWith("|"); j++) {
                        assertEquals(columns, cells(lines.get(j)), lines.get(j));
                    }
                }
            }
            assertEquals(2, tables, run.out());
        }
        CommandRun one = SimulateRuns.ok(F16, "--to", "Q4_K_M", "--markdown");
        assertEquals("# Q4\\_K\\_M from `tiny-gqa-f16.gguf`", one.outLines().getFirst());
        assertTrue(one.out().contains("| Name | Shape | From | To | Size before | Size after | Reason |"), one.out());
        assertTrue(one.out().contains("| `blk.1.ffn_down.weight` | [512, 256] | F16 | Q6_K | 256.00 KiB | 105.00 KiB | "), one.out());
        CommandRun all = SimulateRuns.ok(F16, "--all", "--markdown");
        assertTrue(all.out().contains("| File type | Status | Size | Bytes | BPW | Change | Notes |"), all.out());
        assertTrue(all.out().contains("| Q4\\_K\\_M | ok | 884.06 KiB | 905,280 | 4.95 | -68.8% |  |"), all.out());
    }

    /** Cells of a markdown table row: pipes not escaped by a backslash, minus one. */
    private static int cells(String row) {
        int pipes = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '|' && (i == 0 || row.charAt(i - 1) != '\\')) {
                pipes++;
            }
        }
        return pipes - 1;
    }

    /** A tensor name with an escape sequence reaches the terminal escaped, and JSON as a \\u escape. */
    @Test
    void namesFromTheFileCannotActOnTheTerminal(@TempDir Path tmp) throws Exception {
        Path file = Fixtures.write(tmp.resolve("evil.gguf"), List.of(Fixtures.str("general.architecture", "llama"),
                        Fixtures.u32("llama.block_count", 1)),
                List.of(Fixtures.tensor("token_embd.weight", GgmlType.F16, 256, 4),
                        Fixtures.tensor("blk.0.ffn_up\u001b[2J.weight", GgmlType.F16, 256, 4)));
        for (String mode : List.of("text", "--markdown")) {
            CommandRun run = mode.equals("text") ? SimulateRuns.ok(file.toString(), "--to", "Q8_0")
                    : SimulateRuns.ok(file.toString(), "--to", "Q8_0", mode);
            assertFalse(run.out().contains("\u001b"), run.out());
            assertTrue(run.out().contains("blk.0.ffn_up\\x1b[2J.weight") || run.out().contains("blk.0.ffn_up\\x1b\\[2J.weight"), run.out());
        }
        CommandRun json = CommandRun.of("simulate", "--json", file.toString(), "--to", "Q8_0");
        assertFalse(json.out().contains("\u001b"), json.out());
        assertTrue(json.out().contains("blk.0.ffn_up\\u001B[2J.weight"), json.out());
        JsonNode r = SimulateRuns.JSON.readTree(json.out());
        assertEquals("blk.0.ffn_up\u001b[2J.weight", r.get("tensors").get(1).get("name").asText());
    }
}
