package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.plan.ImatrixFile;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.report.SimulateJsonRenderer;
import dev.gguflens.report.SimulateMarkdownRenderer;
import dev.gguflens.report.SimulateReport;
import dev.gguflens.report.SimulateReport.TensorListing;
import dev.gguflens.report.SimulateReport.TensorOrder;
import dev.gguflens.report.SimulateResult;
import dev.gguflens.report.SimulateTextRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gguflens simulate FILE --to FTYPE | --all}: what llama-quantize would write, to the byte, from the
 * header alone. Options are parsed here, the plans made by {@link Simulation}, and the results rendered by
 * the report package from {@link SimulateResult}s, so the error simulation can add its options here and its
 * figures to each result without touching the planning.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        headerHeading = "%n", header = "Predict what llama-quantize would write, to the byte.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Plans a quantization as llama-quantize (llama.cpp) would run it, from the",
            "file's header alone, so even the largest model answers in a moment:",
            "which type each tensor gets and why, and the output file's exact size.",
            "",
            "  --to FTYPE    One file type in detail: a summary (output size, bits per",
            "                weight, change against the source, what an importance",
            "                matrix would change), then every tensor with its source",
            "                and target type, its size before and after, and the",
            "                rule that chose the type.",
            "  --to A,B,...  Several file types, or every one, as a table, smallest",
            "  --all         output first: size, bits per weight, change, and notes",
            "                (needs an importance matrix, and the size with one;",
            "                fallbacks; llama-quantize's reason when it refuses).",
            "",
            "FTYPE is a file type as llama-quantize names it: Q4_K_M, q4_k_m, its",
            "llama.cpp enum name MOSTLY_Q4_K_M, or its number (15). The type options",
            "are llama-quantize's own and mean what they mean there. Bits per weight",
            "are counted as llama.cpp counts them: tensor bytes x 8 / parameters.",
            "",
            "A source that is already quantized is simulated as llama-quantize",
            "--allow-requantize would convert it, and the output says so. A run",
            "llama-quantize would refuse (an importance matrix required, rows that fit",
            "no block) is reported with llama-quantize's reason.",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:simulated (with several file types, also when some are refused)",
            "2:bad usage (unknown file type or tensor type, invalid pattern, conflicting options)",
            "3:the file (or the --imatrix file) is not a valid GGUF file or model",
            "4:llama-quantize would refuse the one file type asked for (the reason is printed)",
            "5:a file cannot be read (missing, a directory, no permission)",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  gguflens simulate model.gguf --to Q4_K_M",
            "  gguflens simulate model.gguf --all",
            "  gguflens simulate model.gguf --to Q3_K_M,Q4_K_M --output-tensor-type q8_0",
            "  gguflens simulate model.gguf --to IQ2_M --imatrix imatrix.gguf",
            "  gguflens simulate model.gguf --to Q4_K_M --sort saving --tensors 'ffn_'",
            "  gguflens simulate --json model.gguf --all > sizes.json",
            "",
            "The JSON output is a stable, versioned contract: see docs/json.md.%n",
        })
final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF file to quantize (F32, F16, BF16 or already quantized).")
    Path file;

    @Option(names = "--to", paramLabel = "FTYPE", split = ",", order = 1, converter = FileTypeConverter.class,
            description = "The file type(s) to simulate: one for the detailed form, several (comma-separated or repeated) for a table.")
    List<LlamaFileType> to = new ArrayList<>();

    @Option(names = "--all", order = 2, description = "Simulate every file type llama-quantize knows, as a table.")
    boolean all;

    @Mixin
    LlamaQuantizeOptions quantize;

    @Option(names = "--json", order = 30, description = "Print JSON instead of text (see docs/json.md).")
    boolean json;

    @Option(names = "--markdown", order = 31, description = "Print markdown tables instead of text.")
    boolean markdown;

    @Option(names = "--sort", paramLabel = "ORDER", order = 32, converter = OrderConverter.class,
            description = "Order of the tensor table: output (the output file's order, the default), name, size (largest "
                    + "output first), saving (most bytes saved first) or type (by target type). JSON keeps the output order.")
    TensorOrder sort = TensorOrder.OUTPUT;

    @Option(names = "--tensors", paramLabel = "REGEX", order = 33, converter = InspectCommand.RegexConverter.class,
            description = "List only the tensors whose name contains a match of this Java regular expression. "
                    + "Totals still cover every tensor.")
    Pattern tensorFilter;

    @Option(names = "--no-tensors", order = 34, description = "Leave out the tensors (text, markdown and JSON).")
    boolean noTensors;

    @Override
    public Integer call() throws FileFailure, GgufFormatException, IOException {
        List<LlamaFileType> ftypes = fileTypes();
        if (json && markdown) {
            throw usage("--json and --markdown cannot be used together");
        }
        if (quantize.imatrixFile != null && quantize.assumeImatrix) {
            throw usage("--imatrix and --assume-imatrix cannot be used together");
        }
        ImatrixMode imatrix = imatrixMode();
        try (GgufFile f = InputFiles.openGguf(file)) {
            List<SimulateResult> results;
            try {
                results = Simulation.run(f, quantize, ftypes, imatrix);
            } catch (GgufFormatException e) {
                throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
            }
            boolean single = ftypes.size() == 1;
            SimulateReport report = new SimulateReport(f, ModelSummary.of(f), quantize.asTyped(), imatrix, results, single,
                    noTensors ? null : new TensorListing(tensorFilter, sort));
            Plan only = results.getFirst().plan();
            if (single && !only.ok() && !json) {
                throw refused(results.getFirst());
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                SimulateJsonRenderer.render(report, out);
            } else if (markdown) {
                SimulateMarkdownRenderer.render(report, out);
            } else {
                SimulateTextRenderer.render(report, out);
            }
            if (single && !only.ok()) {
                throw refused(results.getFirst()); // after the JSON, which carries the reason too
            }
        }
        return ExitCode.OK;
    }

    /** The file types asked for, each once, in the order given; exactly one of --to and --all. */
    private List<LlamaFileType> fileTypes() {
        if (all && !to.isEmpty()) {
            throw usage("--to and --all cannot be used together");
        }
        if (all) {
            return LlamaFileType.current();
        }
        if (to.isEmpty()) {
            throw usage("a file type is required: --to FTYPE[,FTYPE...] or --all");
        }
        return List.copyOf(new LinkedHashSet<>(to));
    }

    private ImatrixMode imatrixMode() throws FileFailure, GgufFormatException {
        if (quantize.assumeImatrix) {
            return ImatrixMode.ASSUMED;
        }
        Path m = quantize.imatrixFile;
        if (m == null) {
            return ImatrixMode.NONE;
        }
        if (Files.isDirectory(m)) {
            throw new FileFailure(m, "is a directory, not an imatrix file", ExitCode.IO, null);
        }
        try {
            // The name as typed is what llama-quantize writes to quantize.imatrix.file. A format error
            // already names the file ("imatrix file PATH: ...") and exits 3.
            return new ImatrixMode.FromFile(ImatrixFile.read(m, m.toString()));
        } catch (IOException e) {
            throw new FileFailure(m, InputFiles.reason(e), ExitCode.IO, e);
        }
    }

    /** llama-quantize would refuse the one file type asked for: its reason, and what would make it possible. */
    private FileFailure refused(SimulateResult r) {
        String hint = r.imatrixRequired()
                ? " (give an importance matrix with --imatrix FILE, or plan as if given one with --assume-imatrix)" : "";
        return new FileFailure(file, "llama-quantize would refuse " + r.ftype().shortName() + ": " + r.plan().message() + hint,
                ExitCode.IMPOSSIBLE, null);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** A file type as llama-quantize's users write it: {@code Q4_K_M}, {@code q4_k_m}, {@code MOSTLY_Q4_K_M}, {@code 15}. */
    static final class FileTypeConverter implements CommandLine.ITypeConverter<LlamaFileType> {
        @Override
        public LlamaFileType convert(String value) {
            return LlamaFileType.parse(value).orElseThrow(() -> new CommandLine.TypeConversionException(
                    (removed(value) ? "file type '" + value + "' was removed from llama.cpp" : "unknown file type '" + value + "'")
                            + "; valid: " + LlamaFileType.current().stream().map(LlamaFileType::shortName).collect(Collectors.joining(", "))
                            + " (any case; also llama.cpp's enum name, e.g. MOSTLY_Q4_K_M, or the number)"));
        }

        /** Whether the text names an id or a name llama.cpp's enum once had. */
        private static boolean removed(String value) {
            String s = value.strip().toUpperCase(Locale.ROOT);
            return LlamaFileType.all().stream().filter(LlamaFileType::removed).anyMatch(f -> s.equals(Integer.toString(f.id()))
                    || s.equals(f.shortName()) || s.equals(f.enumName()) || s.equals("LLAMA_FTYPE_" + f.enumName()));
        }
    }

    /** A {@link TensorOrder} by its lower-case name. */
    static final class OrderConverter implements CommandLine.ITypeConverter<TensorOrder> {
        @Override
        public TensorOrder convert(String value) {
            for (TensorOrder o : TensorOrder.values()) {
                if (o.name().equalsIgnoreCase(value)) {
                    return o;
                }
            }
            throw new CommandLine.TypeConversionException("unknown order '" + value + "'; valid: "
                    + Arrays.stream(TensorOrder.values()).map(o -> o.name().toLowerCase(Locale.ROOT))
                            .collect(Collectors.joining(", ")));
        }
    }
}
