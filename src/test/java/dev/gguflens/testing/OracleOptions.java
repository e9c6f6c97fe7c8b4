package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.plan.TensorTypeOverride;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * An oracle run (a row's first six columns in the oracle tables) and what it means: the source file,
 * the planner's options and llama-quantize's command-line options, as the oracle README maps them.
 * Runs with an importance matrix are out of scope for the codecs here and are not mapped.
 */
public record OracleOptions(String set, String model, String sourceType, String ftype, int ftypeId, String options) {

    public static OracleOptions of(String[] row) {
        return new OracleOptions(row[0], row[1], row[2], row[3], Integer.parseInt(row[4]), row[5]);
    }

    /** Whether the run used an importance matrix (not reproducible without issue 7's quantizers). */
    public boolean imatrix() {
        return options.equals("imatrix");
    }

    /** The source file, {@code files/<model>-<source type>.gguf}. */
    public Path sourceFile(Path oracle) {
        return oracle.resolve("files/" + model + "-" + sourceType.toLowerCase(Locale.ROOT) + ".gguf");
    }

    public LlamaFileType fileType() {
        LlamaFileType f = LlamaFileType.byId(ftypeId).orElseThrow();
        if (!f.enumName().equals(ftype)) {
            throw new IllegalStateException("ftype " + ftypeId + " is " + f.enumName() + ", the table says " + ftype);
        }
        return f;
    }

    /** The planner's options for this run. */
    public QuantizeOptions quantizeOptions() {
        QuantizeOptions o = QuantizeOptions.of(fileType());
        return switch (options) {
            case "default" -> o;
            case "pure" -> o.withPure(true);
            case "output_tensor_type=Q8_0" -> o.withOutputTensorType(GgmlType.Q8_0);
            case "token_embedding_type=Q4_0" -> o.withTokenEmbeddingType(GgmlType.Q4_0);
            case "quantize_output_tensor=false" -> o.withLeaveOutputTensor(true);
            case "tensor_types=attn_v=q8_0" -> o.withTensorTypes(List.of(TensorTypeOverride.parse("attn_v=q8_0")));
            default -> throw new IllegalArgumentException("unmapped options column '" + options + "'");
        };
    }

    /** llama-quantize's command-line options for this run (the oracle README's mapping), before IN OUT TYPE. */
    public List<String> commandLineOptions() {
        return switch (options) {
            case "default" -> List.of();
            case "pure" -> List.of("--pure");
            case "output_tensor_type=Q8_0" -> List.of("--output-tensor-type", "q8_0");
            case "token_embedding_type=Q4_0" -> List.of("--token-embedding-type", "q4_0");
            case "quantize_output_tensor=false" -> List.of("--leave-output-tensor");
            case "tensor_types=attn_v=q8_0" -> List.of("--tensor-type", "attn_v=q8_0");
            default -> throw new IllegalArgumentException("unmapped options column '" + options + "'");
        };
    }

    @Override
    public String toString() {
        return set + "/" + model + "-" + sourceType + "/" + ftype + "/" + options;
    }
}
