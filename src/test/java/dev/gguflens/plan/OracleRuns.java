package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.testing.TestFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The oracle's quantize runs (expected-sizes.tsv, expected-types.tsv) and the plans for them, each planned once. */
final class OracleRuns {
    /** A run: the columns that identify it in both tables. */
    record Run(String set, String model, String sourceType, String ftype, int ftypeId, String options) {
        @Override
        public String toString() {
            return set + "/" + model + "-" + sourceType + "/" + ftype + "/" + options;
        }
    }

    private final Map<Run, Plan> plans = new HashMap<>();

    /** The table's rows, header dropped, each split on tabs (empty trailing fields kept). */
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

    static Run run(String[] row) {
        return new Run(row[0], row[1], row[2], row[3], Integer.parseInt(row[4]), row[5]);
    }

    /** The plan for a run, made from the source file with the options the oracle README maps the column to. */
    Plan plan(Run run) throws Exception {
        Plan p = plans.get(run);
        if (p == null) {
            Path source = TestFiles.oracle("files/" + run.model() + "-" + run.sourceType().toLowerCase(Locale.ROOT) + ".gguf");
            try (GgufFile f = GgufReader.open(source)) {
                p = Planner.plan(f, options(run));
            }
            plans.put(run, p);
        }
        return p;
    }

    static QuantizeOptions options(Run run) {
        LlamaFileType ftype = LlamaFileType.byId(run.ftypeId()).orElseThrow();
        if (!ftype.enumName().equals(run.ftype())) {
            throw new IllegalStateException("ftype " + run.ftypeId() + " is " + ftype.enumName() + ", table says " + run.ftype());
        }
        QuantizeOptions o = QuantizeOptions.of(ftype);
        return switch (run.options()) {
            case "default" -> o;
            case "pure" -> o.withPure(true);
            case "output_tensor_type=Q8_0" -> o.withOutputTensorType(GgmlType.Q8_0);
            case "token_embedding_type=Q4_0" -> o.withTokenEmbeddingType(GgmlType.Q4_0);
            case "quantize_output_tensor=false" -> o.withLeaveOutputTensor(true);
            case "tensor_types=attn_v=q8_0" -> o.withTensorTypes(List.of(TensorTypeOverride.parse("attn_v=q8_0")));
            // The oracle passed the imatrix through the library call: same types, none of the CLI's four keys.
            case "imatrix" -> o.withImatrix(ImatrixMode.ASSUMED);
            default -> throw new IllegalArgumentException("unknown options column '" + run.options() + "'");
        };
    }
}
