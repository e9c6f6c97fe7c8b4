package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixCoverage;
import dev.gguflens.report.ImatrixRenderer;
import dev.gguflens.report.ImatrixReport;
import java.nio.file.Files;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.report.InspectJsonRenderer;
import dev.gguflens.report.InspectMarkdownRenderer;
import dev.gguflens.report.InspectReport;
import dev.gguflens.report.InspectTextRenderer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gguflens inspect FILE}: everything inside a GGUF file, from its header alone. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        headerHeading = "%n", header = "Show what is inside a GGUF file.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "Prints what a GGUF file holds, from its header alone, so a file of any size",
            "lists in a moment:",
            "",
            "  Summary       architecture, model name, parameter count, file type, file",
            "                size, bytes of tensor data, bits per weight, context length,",
            "                layers, attention heads and KV heads, experts, vocabulary.",
            "  Tensor types  per ggml type: tensors, parameters, bytes, share of the bytes.",
            "  Metadata      every key with its type and value; arrays as element type",
            "                and count (STRING[512]) with their first elements.",
            "  Tensors       index, name, shape, type, size and data offset of each.",
            "  Warnings      what the format allows but llama.cpp would refuse, and keys",
            "                whose type does not fit their meaning.",
            "",
            "Parameters and bits per weight are counted as llama.cpp counts them: over",
            "every tensor, bits per weight = tensor bytes x 8 / parameters. Without a",
            "general.file_type key, the file type is llama.cpp's guess from the most",
            "frequent tensor type, marked as guessed. Shapes are in ggml order (ne[0],",
            "the row length, first); offsets are relative to the data section.",
            "",
            "An importance matrix (llama.cpp's GGUF imatrix, general.type = imatrix, or",
            "the legacy llama-imatrix .dat format) is shown as llama-quantize reads it:",
            "datasets, chunks, entries (length, expert slices, slices that never saw a",
            "token, counts, value range) and whether every value is finite. With",
            "--model FILE: which of that model's quantizable weights it covers, which",
            "it lacks (and in which low-bit file types llama-quantize would then",
            "refuse: IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ2_M, IQ3_XXS, IQ3_XS,",
            "Q2_K_S), and entries whose length does not fit the tensor.",
            "",
            "Text from the file is printed with control characters, bidi overrides and",
            "other invisible characters escaped (\\x1b, \\r, \\u202e; a backslash as \\\\),",
            "so a file cannot act on your terminal. Results go to standard output,",
            "errors to standard error.",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the file was listed",
            "2:bad usage (unknown option, invalid --tensors expression; an archive with several GGUF files and no --member)",
            "3:the file is not a valid GGUF file (the message names the problem and its byte offset), or a part of a split"
                    + " model is missing, extra or does not fit the others (the message names the part), or not a valid"
                    + " importance matrix (or --model's file not a valid model)",
            "5:the file cannot be read (missing, a directory, no permission; an Ollama model that is not in the store; an"
                    + " archive member that is not there)",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  gguflens inspect model.gguf",
            "  gguflens inspect --no-metadata --tensors 'blk\\.0\\.' model.gguf",
            "  gguflens inspect --json model.gguf > model.json",
            "  gguflens inspect --markdown --no-tensors model.gguf > model.md",
            "  gguflens inspect imatrix.gguf --model model-f16.gguf",
            "",
            "The JSON output is a stable, versioned contract: see docs/json.md.%n",
        })
final class InspectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The GGUF file to inspect; any part of a split model "
            + "(model-00002-of-00003.gguf: all parts are read as one model); ollama:NAME[:TAG], an Ollama model "
            + "($OLLAMA_MODELS, else ~/.ollama/models); or an archive holding one (.zip, .tar, .tar.gz, .tar.xz, .tar.zst, "
            + ".gz, .xz, .zst), whose header is read from the stream without extracting anything.")
    Path file;

    @Option(names = "--member", paramLabel = "NAME",
            description = "In an archive that holds several GGUF files, the one to read (its path in the archive).")
    String member;

    @Option(names = "--json", description = "Print JSON instead of text (all values in full; see docs/json.md).")
    boolean json;

    @Option(names = "--markdown", description = "Print markdown tables instead of text.")
    boolean markdown;

    @Option(names = "--tensors", paramLabel = "REGEX", converter = RegexConverter.class,
            description = "List only the tensors whose name contains a match of this Java regular expression "
                    + "(e.g. 'attn_(q|k)' or '^blk\\.0\\.'). The summary and type table still cover every tensor.")
    Pattern tensorFilter;

    @Option(names = "--no-tensors", description = "Leave out the list of tensors.")
    boolean noTensors;

    @Option(names = "--no-metadata", description = "Leave out the metadata.")
    boolean noMetadata;

    @Option(names = "--model", paramLabel = "FILE",
            description = "With an importance matrix: the model (GGUF) whose weights to check it against.")
    Path model;

    @Option(names = {"--full", "--full-arrays"},
            description = "Show metadata values in full: every array element and whole long strings (such as "
                    + "chat templates). By default text and markdown show the first elements and the start of "
                    + "long strings, and say how much is left out.")
    boolean full;

    @Override
    public Integer call() throws FileFailure, java.io.IOException {
        if (json && markdown) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--json and --markdown cannot be used together");
        }
        ImatrixFile legacy = legacyImatrix();
        if (legacy != null) {
            noMarkdownForImatrix();
            ImatrixReport r = imatrixReport(legacy);
            if (json) {
                ImatrixRenderer.json(r, spec.commandLine().getOut());
            } else {
                ImatrixRenderer.text(r, spec.commandLine().getOut());
            }
            return ExitCode.OK;
        }
        try (GgufFile f = InputFiles.openGguf(file, member)) {
            ImatrixReport imatrix = null;
            if (isImatrix(f)) {
                try {
                    imatrix = imatrixReport(ImatrixFile.read(f.path()));
                } catch (GgufFormatException e) {
                    throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
                }
                if (!json) {
                    noMarkdownForImatrix();
                    ImatrixRenderer.text(imatrix, spec.commandLine().getOut());
                    return ExitCode.OK;
                }
            } else if (model != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--model applies to an importance matrix, and "
                        + file + " is a model (its general.type is not imatrix)");
            }
            ModelSummary summary = ModelSummary.of(f);
            List<TensorInfo> tensors = noTensors ? null
                    : tensorFilter == null ? f.tensors()
                    : f.tensors().stream().filter(t -> tensorFilter.matcher(t.name()).find()).toList();
            InspectReport report = new InspectReport(f, summary, !noMetadata, tensors,
                    noTensors || tensorFilter == null ? null : tensorFilter.pattern(), full);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                // An imatrix GGUF is still a GGUF file: its JSON is the container's, plus the importance matrix.
                ImatrixReport im = imatrix;
                InspectJsonRenderer.render(report, out, im == null ? null : g -> ImatrixRenderer.fields(g, im));
            } else if (markdown) {
                InspectMarkdownRenderer.render(report, out);
            } else {
                InspectTextRenderer.render(report, out);
            }
        }
        return ExitCode.OK;
    }

    /** A GGUF imatrix on disk: {@code general.type} says so (an imatrix in an archive or split is listed as GGUF). */
    private static boolean isImatrix(GgufFile f) {
        boolean typed = f.value("general.type").filter(v -> v instanceof GgufValue.Str s && s.text().equals("imatrix")).isPresent();
        return typed && f.path() != null && f.parts().isEmpty() && f.stream().isEmpty();
    }

    /**
     * The file as a legacy imatrix, when it is a plain file that is neither GGUF nor an archive and reads as one; else
     * null (then it is read as GGUF, whose error a non-GGUF file gets). A {@code .dat} file that fails to read as a
     * legacy imatrix gets that error instead, which is the one that says what is wrong with it.
     */
    private ImatrixFile legacyImatrix() throws FileFailure, java.io.IOException {
        if (member != null || !Files.isRegularFile(file) || ImatrixFile.isGguf(file) || Archives.detect(file).isPresent()) {
            return null;
        }
        try {
            return ImatrixFile.read(file);
        } catch (GgufFormatException e) {
            if (file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".dat")) {
                throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
            }
            return null;
        }
    }

    private void noMarkdownForImatrix() {
        if (markdown) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--markdown is not available for an importance matrix:"
                    + " use text or --json");
        }
    }

    /** {@code inspect IMATRIX [--model FILE]}: the importance matrix and, with {@code --model}, its coverage of the model. */
    private ImatrixReport imatrixReport(ImatrixFile imatrix) throws FileFailure, java.io.IOException {
        ImatrixCoverage coverage = null;
        if (model != null) {
            try (GgufFile m = InputFiles.openGguf(model)) {
                coverage = ImatrixCoverage.of(m, imatrix);
            } catch (GgufFormatException e) {
                throw new FileFailure(model, e.getMessage(), ExitCode.INVALID_GGUF, e);
            }
        }
        return new ImatrixReport(file, Files.size(file), imatrix, model, coverage);
    }

    /** Compiles a regular expression, failing with one line (not the multi-line JDK message) when it is invalid. */
    static final class RegexConverter implements CommandLine.ITypeConverter<Pattern> {
        @Override
        public Pattern convert(String value) {
            try {
                return Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw new CommandLine.TypeConversionException("invalid regular expression '" + value + "': "
                        + e.getDescription() + (e.getIndex() >= 0 ? " at index " + e.getIndex() : ""));
            }
        }
    }
}
