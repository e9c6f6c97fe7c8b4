package dev.gguflens.cli;

import dev.gguflens.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** The oracle's run tables, and its {@code options} column as simulate's command-line options (oracle README, "Quantization runs"). */
final class OracleTables {
    private OracleTables() {
    }

    /** The table's rows, header dropped, split on tabs (empty trailing fields kept); skips the test without the oracle. */
    static List<String[]> rows(String table) throws IOException {
        List<String> lines = Files.readAllLines(TestFiles.oracle(table));
        List<String[]> out = new ArrayList<>(lines.size());
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty()) {
                out.add(line.split("\t", -1));
            }
        }
        return out;
    }

    /**
     * The options the oracle passed to the library, as llama-quantize's command line spells them. The
     * imatrix runs passed the importance data without the four keys the command-line tool adds: that is
     * {@code --assume-imatrix} (ISSUE-NOTES, issue 5).
     */
    static List<String> cliOptions(String column) {
        return switch (column) {
            case "default" -> List.of();
            case "pure" -> List.of("--pure");
            case "output_tensor_type=Q8_0" -> List.of("--output-tensor-type", "q8_0");
            case "token_embedding_type=Q4_0" -> List.of("--token-embedding-type", "q4_0");
            case "quantize_output_tensor=false" -> List.of("--leave-output-tensor");
            case "tensor_types=attn_v=q8_0" -> List.of("--tensor-type", "attn_v=q8_0");
            case "imatrix" -> List.of("--assume-imatrix");
            default -> throw new IllegalArgumentException("unknown options column '" + column + "'");
        };
    }
}
