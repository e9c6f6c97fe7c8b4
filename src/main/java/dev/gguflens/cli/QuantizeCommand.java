package dev.gguflens.cli;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.ImatrixUse;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.plan.TensorTypeOverride;
import dev.gguflens.quantize.QuantizedFileWriter;
import dev.gguflens.report.SafeText;
import dev.gguflens.report.Units;
import dev.gguflens.sim.Cancellation;
import dev.gguflens.sim.CancelledException;
import dev.gguflens.sim.PipelineSettings;
import dev.gguflens.sim.TensorAbortException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gguflens quantize IN OUT FTYPE}: writes the file llama-quantize would write, byte for byte. */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        headerHeading = "%n", header = "Quantize a GGUF file as llama-quantize does, byte for byte.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Writes OUT, the file llama-quantize writes for IN and FTYPE with the same",
            "options: the same tensor types, metadata, layout and bytes (llama.cpp",
            "commit 0ad4a86).",
            "",
            "--imatrix FILE gives an importance matrix (llama.cpp's GGUF imatrix, or",
            "the legacy .dat format), as llama-quantize --imatrix: the very low-bit",
            "file types (IQ1_S, IQ2_XXS, IQ2_M, IQ3_XXS, Q2_K_S, ...) become possible,",
            "some tensors get other types, every converted tensor is quantized with",
            "its entry's weights (a 3-D expert tensor with each expert's slice), and",
            "the four quantize.imatrix.* keys are added. A tensor without an entry is",
            "quantized without weights, as llama-quantize does, and named on standard",
            "error (\"did not find weights for NAME\"); llama-quantize's refusals (an",
            "entry of another length, a required entry missing, a non-finite value)",
            "fail the run with its reason.",
            "",
            "The file appears only when it is complete: it is written to a hidden",
            "temporary file in OUT's folder and renamed at the end. If the run fails or",
            "is interrupted (Ctrl-C), the temporary file is deleted and nothing is left",
            "behind. IN is never modified; OUT may not be IN (also through a link or",
            "another spelling of the path). An existing OUT is replaced only with",
            "--force, and then only once the new file is complete.",
            "",
            "When llama-quantize would refuse the run (a file type that needs an",
            "importance matrix it was not given, a quantized input without",
            "--allow-requantize, an imatrix entry of the wrong length, a tensor",
            "ggml would abort on, quantized data with a NaN or infinite scale),",
            "gguflens says why, naming the tensor, and writes nothing.",
            "",
            "Standard output gets one line when the file is written: its path, file",
            "type, tensor counts, size, bits per weight and the importance matrix used",
            "(how many tensors had its weights). Progress goes to standard",
            "error: a bar when it is a terminal, a line per tensor with --verbose.",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:OUT was written",
            "2:bad usage (unknown option, file type or tensor type; OUT is IN or a part of it; IN is an archive: extract it first;"
                    + " --assume-imatrix, which has no values to quantize with)",
            "3:IN is not a valid GGUF file, or one gguflens cannot convert (big-endian), or a split model's parts do not form one;"
                    + " or the --imatrix file is not a valid importance matrix",
            "4:llama-quantize would refuse this run (or gguflens cannot yet quantize a requested type); the message says why",
            "5:a file cannot be read or written (missing, a directory, OUT exists without --force; an Ollama model that is not in the store)",
            "130:interrupted (Ctrl-C); nothing was written",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  gguflens quantize model-f16.gguf model-Q4_K_M.gguf Q4_K_M",
            "  gguflens quantize --pure --output-tensor-type q8_0 model-f16.gguf out.gguf \\",
            "      Q4_0",
            "  gguflens quantize --tensor-type 'attn_v=q8_0' --tensor-type 'ffn_down=q6_k' \\",
            "      in.gguf out.gguf Q4_K_M",
            "  gguflens quantize --imatrix imatrix.gguf model-f16.gguf model-IQ3_M.gguf IQ3_M",
            "",
            "FTYPE is a llama.cpp file type: Q4_K_M, q4_k_m, MOSTLY_Q4_K_M or its number (15).%n",
        })
final class QuantizeCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The GGUF file to quantize (F32, F16 or BF16 weights; quantized with --allow-requantize), any "
            + "part of a split model (model-00002-of-00003.gguf: OUT is one file, without the split keys, as llama-quantize "
            + "writes it), or ollama:NAME[:TAG].")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write.")
    Path out;

    @Parameters(index = "2", paramLabel = "FTYPE", converter = FileTypeConverter.class,
            description = "The file type, e.g. Q4_K_M, Q8_0, Q6_K, IQ4_XS, F16.")
    LlamaFileType ftype;

    @Option(names = "--pure", description = "Give every quantizable tensor FTYPE's default type, without llama.cpp's mixture rules.")
    boolean pure;

    @Option(names = "--output-tensor-type", paramLabel = "TYPE", converter = GgmlTypeConverter.class,
            description = "The type of output.weight (a ggml type name: q8_0, q6_K, f16, ...).")
    GgmlType outputTensorType;

    @Option(names = "--token-embedding-type", paramLabel = "TYPE", converter = GgmlTypeConverter.class,
            description = "The type of token_embd.weight.")
    GgmlType tokenEmbeddingType;

    @Option(names = "--tensor-type", paramLabel = "PATTERN=TYPE",
            description = "Give the tensors whose name contains a match of PATTERN (a regular expression, lower-cased) "
                    + "this type. Repeatable; the first matching pattern wins, as in llama-quantize.")
    List<String> tensorTypes = new ArrayList<>();

    @Option(names = "--leave-output-tensor", description = "Keep output.weight as it is.")
    boolean leaveOutputTensor;

    @Option(names = "--imatrix", paramLabel = "FILE",
            description = "An importance matrix (GGUF imatrix or legacy .dat), as llama-quantize --imatrix.")
    Path imatrixFile;

    @Option(names = "--include-weights", paramLabel = "NAME",
            description = "With --imatrix: use only the entries whose name contains NAME (repeatable), as llama-quantize does.")
    List<String> includeWeights = new ArrayList<>();

    @Option(names = "--exclude-weights", paramLabel = "NAME",
            description = "With --imatrix: drop the entries whose name contains NAME (repeatable), as llama-quantize does.")
    List<String> excludeWeights = new ArrayList<>();

    @Option(names = "--assume-imatrix", hidden = true, description = "simulate's sizes-only option: refused here (no values to quantize with).")
    boolean assumeImatrix;

    @Option(names = "--allow-requantize", description = "Accept a quantized input: its tensors are decoded and quantized again (this loses more than quantizing the original).")
    boolean allowRequantize;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Worker threads (default: one per core). The output does not depend on it.")
    Integer threads;

    @Option(names = {"-f", "--force"}, description = "Replace OUT if it exists (once the new file is complete).")
    boolean force;

    @Option(names = {"-v", "--verbose"}, description = "Print a line per tensor on standard error as it is written.")
    boolean verbose;

    @Override
    public Integer call() throws FileFailure {
        CommandLine cl = spec.commandLine();
        int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (n < 1) {
            throw new CommandLine.ParameterException(cl, "--threads must be at least 1, got " + n);
        }
        if (assumeImatrix) {
            throw new CommandLine.ParameterException(cl, "--assume-imatrix only plans types (gguflens simulate): quantize needs"
                    + " the importance values themselves; give the file with --imatrix FILE");
        }
        try {
            LlamaQuantizeOptions.checkWeightFilters(imatrixFile, includeWeights, excludeWeights);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
        QuantizeOptions options = options(cl);
        checkOutput(cl);
        ImatrixMode imatrix;
        try {
            imatrix = imatrixFile == null ? ImatrixMode.NONE : LlamaQuantizeOptions.readImatrix(imatrixFile, includeWeights, excludeWeights);
        } catch (dev.gguflens.gguf.GgufFormatException e) {
            throw new FileFailure(imatrixFile, e.getMessage(), ExitCode.INVALID_GGUF, e);
        }
        options = options.withImatrix(imatrix);
        if (Files.isRegularFile(in) && Archives.detect(in).isPresent()) {
            // The output is written in llama-quantize's tensor order, which is not the order of the input file.
            throw new FileFailure(in, "is an archive: quantize reads its input's tensors in llama-quantize's order, not in file"
                    + " order as a stream gives them; extract the GGUF file first (inspect and simulate read archives)",
                    ExitCode.USAGE, null);
        }
        PrintWriter err = cl.getErr();
        try (GgufFile f = InputFiles.openGguf(in)) {
            checkNotAnInput(cl, f);
            if (f.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
                throw new FileFailure(in, "is a big-endian GGUF file, which llama-quantize cannot read; gguflens quantize "
                        + "writes only what llama-quantize would", ExitCode.INVALID_GGUF, null);
            }
            Plan plan = plan(f, options);
            for (String w : plan.warnings()) {
                err.println("gguflens: warning: " + SafeText.escape(w));
            }
            // llama-quantize's own notes, one per converted tensor the importance matrix does not cover.
            for (PlannedTensor t : plan.tensors()) {
                if (t.imatrix().unweighted()) {
                    err.println("gguflens: " + SafeText.escape(t.imatrix().describe(t.name())) + ": quantized without importance weights");
                }
            }
            err.flush();
            Map<String, PlannedTensor> byName = new HashMap<>();
            plan.tensors().forEach(t -> byName.put(t.name(), t));
            Cancellation cancel = new Cancellation();
            QuantizedFileWriter.Summary s;
            try (InterruptGuard guard = new InterruptGuard(cancel);
                 ProgressDisplay progress = ProgressDisplay.on(err, verbose, name -> describe(byName.get(name)))) {
                try {
                    s = QuantizedFileWriter.write(f, plan, out, PipelineSettings.withThreads(n), progress, cancel);
                } catch (CancelledException e) {
                    // Printed here, before the guard lets a Ctrl-C shutdown proceed: the JVM halts right after.
                    progress.close();
                    err.println("gguflens: " + SafeText.escapeControls(out.toString()) + ": interrupted; nothing was written");
                    err.flush();
                    return ExitCode.INTERRUPTED;
                }
            } catch (TensorAbortException e) {
                throw new FileFailure(in, e.getMessage(), ExitCode.IMPOSSIBLE, e);
            } catch (UnsupportedOperationException e) {
                throw new FileFailure(in, e.getMessage(), ExitCode.IMPOSSIBLE, e);
            } catch (IOException e) {
                throw new FileFailure(out, InputFiles.reason(e), ExitCode.IO, e);
            }
            cl.getOut().println(SafeText.escapeControls(s.output().toString()) + ": " + plan.ftype().display() + ", "
                    + s.tensors() + " tensors (" + s.quantized() + " quantized, " + s.copied() + " copied), "
                    + Units.bytesExact(s.fileBytes()) + ", " + String.format(Locale.ROOT, "%.2f", plan.bitsPerWeight())
                    + " bits per weight" + imatrixNote(plan) + ", " + String.format(Locale.ROOT, "%.1f s", s.elapsedNanos() / 1e9));
        }
        return ExitCode.OK;
    }

    private QuantizeOptions options(CommandLine cl) {
        List<TensorTypeOverride> overrides = new ArrayList<>();
        for (String t : tensorTypes) {
            try {
                overrides.add(TensorTypeOverride.parse(t));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        return QuantizeOptions.of(ftype).withPure(pure).withOutputTensorType(outputTensorType)
                .withTokenEmbeddingType(tokenEmbeddingType).withTensorTypes(overrides)
                .withLeaveOutputTensor(leaveOutputTensor).withAllowRequantize(allowRequantize);
    }

    /** OUT must not be IN, must not be a folder, must be in an existing folder, and is replaced only with --force. */
    private void checkOutput(CommandLine cl) throws FileFailure {
        try {
            if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
                throw new CommandLine.ParameterException(cl, "OUT (" + out + ") is the input file; gguflens never "
                        + "modifies a file in place: choose another output path");
            }
        } catch (IOException e) {
            throw new FileFailure(out, InputFiles.reason(e), ExitCode.IO, e);
        }
        if (Files.isDirectory(out)) {
            throw new FileFailure(out, "is a directory; give the path of the file to write", ExitCode.IO, null);
        }
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !force) {
            throw new FileFailure(out, "already exists; use --force to replace it", ExitCode.IO, null);
        }
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new FileFailure(out, "its folder does not exist", ExitCode.IO, null);
        }
    }

    /**
     * OUT must not be any file the input was read from either: another part of a split model, or the blob
     * behind an {@code ollama:} name (IN as typed was checked before it was opened).
     */
    private void checkNotAnInput(CommandLine cl, GgufFile f) throws FileFailure {
        for (GgufFile part : f.parts().isEmpty() ? List.of(f) : f.parts()) {
            try {
                if (part.path() != null && Files.exists(out) && Files.isSameFile(part.path(), out)) {
                    throw new CommandLine.ParameterException(cl, "OUT (" + out + ") is " + (f.parts().isEmpty() ? "the input file"
                            : "a part of the input model") + "; gguflens never modifies a file in place: choose another output path");
                }
            } catch (IOException e) {
                throw new FileFailure(out, InputFiles.reason(e), ExitCode.IO, e);
            }
        }
    }

    private Plan plan(GgufFile f, QuantizeOptions options) throws FileFailure {
        Plan plan;
        try {
            plan = Planner.plan(f, options);
        } catch (dev.gguflens.gguf.GgufFormatException e) {
            throw new FileFailure(in, e.getMessage(), ExitCode.INVALID_GGUF, e);
        }
        if (!plan.ok()) {
            throw new FileFailure(in, "llama-quantize would refuse " + ftype.shortName() + ": " + plan.message(),
                    ExitCode.IMPOSSIBLE, null);
        }
        return plan;
    }

    /** {@code , importance matrix imatrix.gguf (weights for 14 of 15 quantized tensors)}, or nothing without one. */
    private String imatrixNote(Plan plan) {
        if (!(plan.options().imatrix() instanceof ImatrixMode.FromFile(ImatrixFile f))) {
            return "";
        }
        long converted = plan.tensors().stream().filter(t -> !t.copied()).count();
        long weighted = plan.tensors().stream().filter(t -> t.imatrix() == ImatrixUse.WEIGHTED).count();
        return ", importance matrix " + SafeText.escapeControls(f.name()) + " (" + (f.entriesCount() == 0 ? "no entries, not used"
                : "weights for " + weighted + " of " + converted + " quantized tensors") + ")";
    }

    /** A per-tensor line's tail: {@code : F16 -> Q4_K, 0.25 MiB -> 0.07 MiB}, or {@code : F32, copied}. */
    private static String describe(PlannedTensor t) {
        if (t == null) {
            return "";
        }
        if (t.copied()) {
            return ": " + t.sourceType() + ", copied, " + Units.bytes(t.sourceBytes());
        }
        return ": " + t.sourceType() + " -> " + t.targetType() + ", " + Units.bytes(t.sourceBytes()) + " -> " + Units.bytes(t.targetBytes());
    }

    /** Parses a file type as llama.cpp users write it. */
    static final class FileTypeConverter implements CommandLine.ITypeConverter<LlamaFileType> {
        @Override
        public LlamaFileType convert(String value) {
            return LlamaFileType.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "unknown file type '" + value + "' (e.g. Q4_K_M, Q8_0, MOSTLY_Q6_K, 15)"));
        }
    }

    /** Parses a ggml type name in any case, as llama-quantize does. */
    static final class GgmlTypeConverter implements CommandLine.ITypeConverter<GgmlType> {
        @Override
        public GgmlType convert(String value) {
            return GgmlType.byName(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    "unknown tensor type '" + value + "' (a ggml type name, e.g. q8_0, q6_K, f16)"));
        }
    }
}
