package dev.gguflens.cli;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.plan.TensorTypeOverride;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * llama-quantize's options that decide types and metadata, spelled as llama-quantize spells them, as a
 * picocli mixin: any command that plans a quantization ({@code simulate}, later {@code quantize}) takes
 * the same options with the same meaning.
 */
final class LlamaQuantizeOptions {

    @Option(names = "--pure", order = 10,
            description = "Give every quantizable tensor the file type's default type (no mixture rules), as llama-quantize --pure.")
    boolean pure;

    @Option(names = "--output-tensor-type", paramLabel = "TYPE", order = 11, converter = GgmlTypeConverter.class,
            description = "Type of output.weight (e.g. q8_0, Q6_K), as llama-quantize --output-tensor-type.")
    GgmlType outputTensorType;

    @Option(names = "--token-embedding-type", paramLabel = "TYPE", order = 12, converter = GgmlTypeConverter.class,
            description = "Type of token_embd.weight, as llama-quantize --token-embedding-type.")
    GgmlType tokenEmbeddingType;

    @Option(names = "--tensor-type", paramLabel = "PATTERN=TYPE", order = 13, converter = TensorTypeConverter.class,
            description = "Force TYPE on the tensors whose name contains a match of PATTERN (a regular expression, "
                    + "lower-cased), as llama-quantize --tensor-type; repeatable, the first matching pattern wins.")
    List<TensorTypeOverride> tensorTypes = new ArrayList<>();

    @Option(names = "--leave-output-tensor", order = 14,
            description = "Keep output.weight as it is, as llama-quantize --leave-output-tensor.")
    boolean leaveOutputTensor;

    @Option(names = "--imatrix", paramLabel = "FILE", order = 15,
            description = "An importance matrix (llama.cpp's GGUF imatrix or the legacy .dat), as llama-quantize --imatrix: it "
                    + "allows the very low-bit types, changes some tensors' types, adds four quantize.imatrix.* keys, and with "
                    + "--error weighs each tensor's quantization by its entry (tensors without one go unweighted, as in llama-quantize).")
    Path imatrixFile;

    @Option(names = "--include-weights", paramLabel = "NAME", order = 15,
            description = "With --imatrix: use only the entries whose name contains NAME (repeatable), as llama-quantize "
                    + "--include-weights; the other tensors go without weights.")
    List<String> includeWeights = new ArrayList<>();

    @Option(names = "--exclude-weights", paramLabel = "NAME", order = 15,
            description = "With --imatrix: drop the entries whose name contains NAME (repeatable), as llama-quantize --exclude-weights.")
    List<String> excludeWeights = new ArrayList<>();

    @Option(names = "--assume-imatrix", order = 16,
            description = "Plan as if an importance matrix covering every tensor were given (the types --imatrix "
                    + "would give), without its four metadata keys. Sizes only: --error needs the values of --imatrix FILE.")
    boolean assumeImatrix;

    @Option(names = "--allow-requantize", order = 17,
            description = "Accepted for llama-quantize's command lines: a quantized source is always simulated as "
                    + "llama-quantize --allow-requantize would convert it.")
    boolean allowRequantize;

    /** The options for {@code ftype}, with the importance matrix already resolved (read, assumed or none). */
    QuantizeOptions toOptions(LlamaFileType ftype, ImatrixMode imatrix) {
        return QuantizeOptions.of(ftype)
                .withPure(pure)
                .withOutputTensorType(outputTensorType)
                .withTokenEmbeddingType(tokenEmbeddingType)
                .withTensorTypes(tensorTypes)
                .withLeaveOutputTensor(leaveOutputTensor)
                // simulate answers "what would this be", so a quantized source is planned as a requantization.
                .withAllowRequantize(true)
                .withImatrix(imatrix);
    }

    /**
     * The importance matrix as the options give it: assumed ({@code --assume-imatrix}), read from {@code --imatrix FILE}
     * (an unreadable file fails with exit code 5, an invalid one with 3), or none.
     */
    ImatrixMode imatrixMode(CommandLine cl) throws FileFailure, GgufFormatException {
        if (assumeImatrix) {
            return ImatrixMode.ASSUMED;
        }
        try {
            checkWeightFilters(imatrixFile, includeWeights, excludeWeights);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        return imatrixFile == null ? ImatrixMode.NONE : readImatrix(imatrixFile, includeWeights, excludeWeights);
    }

    /** llama-quantize's rules for the entry filters: they need an imatrix, and cannot be combined. */
    static void checkWeightFilters(Path imatrix, List<String> include, List<String> exclude) {
        if (!include.isEmpty() && !exclude.isEmpty()) {
            throw new IllegalArgumentException("--include-weights and --exclude-weights cannot be used together");
        }
        if (imatrix == null && !(include.isEmpty() && exclude.isEmpty())) {
            throw new IllegalArgumentException((include.isEmpty() ? "--exclude-weights" : "--include-weights")
                    + " filters the entries of an importance matrix: give one with --imatrix FILE");
        }
    }

    /**
     * {@code --imatrix FILE} read as llama-quantize reads it (GGUF, else the legacy format): an unreadable file fails with
     * exit code 5, an invalid one with 3, each in one line naming the file.
     */
    static ImatrixMode readImatrix(Path m, List<String> include, List<String> exclude) throws FileFailure, GgufFormatException {
        if (Files.isDirectory(m)) {
            throw new FileFailure(m, "is a directory, not an imatrix file", ExitCode.IO, null);
        }
        try {
            // The name as typed is what llama-quantize writes to quantize.imatrix.file. A format error
            // already names the file ("imatrix file PATH: ...") and exits 3.
            return new ImatrixMode.FromFile(ImatrixFile.read(m, m.toString()).filtered(include, exclude));
        } catch (IOException e) {
            throw new FileFailure(m, InputFiles.reason(e), ExitCode.IO, e);
        }
    }

    /** The options as given, in llama-quantize's spelling, for the output's "Options" line; empty for the defaults. */
    List<String> asTyped() {
        List<String> out = new ArrayList<>();
        if (pure) {
            out.add("--pure");
        }
        if (outputTensorType != null) {
            out.add("--output-tensor-type " + outputTensorType.ggmlName());
        }
        if (tokenEmbeddingType != null) {
            out.add("--token-embedding-type " + tokenEmbeddingType.ggmlName());
        }
        for (TensorTypeOverride t : tensorTypes) {
            out.add("--tensor-type " + t);
        }
        if (leaveOutputTensor) {
            out.add("--leave-output-tensor");
        }
        if (imatrixFile != null) {
            out.add("--imatrix " + imatrixFile);
        }
        includeWeights.forEach(w -> out.add("--include-weights " + w));
        excludeWeights.forEach(w -> out.add("--exclude-weights " + w));
        if (assumeImatrix) {
            out.add("--assume-imatrix");
        }
        return out;
    }

    /** The names a type option accepts, for error messages: every ggml type llama-quantize knows. */
    static String validTypeNames() {
        return GgmlType.known().stream()
                .filter(t -> t.status() != GgmlType.Status.REMOVED)
                .map(GgmlType::ggmlName)
                .collect(Collectors.joining(", "));
    }

    /** A ggml type name in any case ({@code q8_0}, {@code Q6_K}), as llama-quantize matches it. */
    static final class GgmlTypeConverter implements CommandLine.ITypeConverter<GgmlType> {
        @Override
        public GgmlType convert(String value) {
            return GgmlType.byName(value).filter(t -> t.name().equalsIgnoreCase(value)).orElseThrow(
                    () -> new CommandLine.TypeConversionException("unknown tensor type '" + value + "'; valid types: " + validTypeNames()));
        }
    }

    /** {@code PATTERN=TYPE}, with llama-quantize's checks and a valid regular expression. */
    static final class TensorTypeConverter implements CommandLine.ITypeConverter<TensorTypeOverride> {
        @Override
        public TensorTypeOverride convert(String value) {
            try {
                return TensorTypeOverride.parse(value);
            } catch (IllegalArgumentException e) {
                String hint = e.getMessage().startsWith("invalid quantization type") ? "; valid types: " + validTypeNames() : "";
                throw new CommandLine.TypeConversionException(e.getMessage() + hint);
            }
        }
    }
}
