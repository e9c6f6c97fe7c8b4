package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.plan.PlannedTensor;
import dev.gguflens.plan.Planner;
import dev.gguflens.report.FrontierPlot;
import dev.gguflens.report.SimulateComparison;
import dev.gguflens.report.SimulateComparisonRenderer;
import dev.gguflens.report.SimulateJsonRenderer;
import dev.gguflens.report.SimulateMarkdownRenderer;
import dev.gguflens.report.SafeText;
import dev.gguflens.report.SimulateReport;
import dev.gguflens.report.SimulateReport.ErrorOptions;
import dev.gguflens.report.SimulateReport.TensorListing;
import dev.gguflens.report.SimulateReport.TensorOrder;
import dev.gguflens.report.SimulateResult;
import dev.gguflens.report.SimulateTextRenderer;
import dev.gguflens.sim.Cancellation;
import dev.gguflens.sim.CancelledException;
import dev.gguflens.sim.ErrorEngine;
import dev.gguflens.sim.PipelineSettings;
import dev.gguflens.sim.Sampling;
import dev.gguflens.sim.SimulationSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
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
            "  --error       Also quantize every tensor as llama-quantize would, decode",
            "                it, and measure what is lost: the model's relative RMSE,",
            "                SNR, cosine and largest error, per role (and --by-layer),",
            "                and per tensor (--sort error: the worst first); with",
            "                several file types, each row's relative RMSE and worst",
            "                tensor. Tensors kept as they are lose nothing.",
            "  --sample F    Measure a seeded random fraction F of the blocks instead",
            "                of all (implies --error): every estimate then carries",
            "                its 95%% confidence interval (shown as +/- its larger side).",
            "  A.gguf B.gguf ... --error",
            "                Several models: one table of every model and file type,",
            "                smallest output first; * marks the options no other",
            "                option beats on both size and error.",
            "  --plot FILE   With --error: the same options as a picture, FILE.svg or",
            "                FILE.png: relative RMSE against file size (both on log",
            "                scales), a series per model, a point per file type, the",
            "                frontier joined by a line; --memory SIZE draws a memory",
            "                budget (24GiB, 24G, 1500MiB, or bytes) against file sizes.",
            "",
            "  --imatrix FILE",
            "                An importance matrix (llama.cpp's GGUF imatrix or the",
            "                legacy .dat), as llama-quantize --imatrix: the types it",
            "                gives, its four keys in the size, and with --error every",
            "                converted tensor quantized with its entry's weights (whole",
            "                rows; a 3-D expert tensor with each expert's slice). The",
            "                output names the tensors that go without weights (no",
            "                entry). --compare-imatrix adds each file type's error",
            "                without it. --assume-imatrix plans the same types without",
            "                a file: sizes only, so --error refuses it.",
            "",
            "With --error, progress goes to standard error (a bar on a terminal, a",
            "line per tensor with --verbose) and only the result to standard output.",
            "",
            "A source that is already quantized is simulated as llama-quantize",
            "--allow-requantize would convert it, and the output says so (its errors",
            "are against its decoded values, not the original weights). A run",
            "llama-quantize would refuse (an importance matrix required, rows that fit",
            "no block) is reported with llama-quantize's reason.",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:simulated (with several file types, also when some are refused)",
            "2:bad usage (unknown file type or tensor type, invalid pattern, conflicting options such as --error with"
                    + " --assume-imatrix; an archive with several GGUF files and no --member)",
            "3:the file (or the --imatrix file) is not a valid GGUF file or model, or a split model's parts do not form one,"
                    + " or an archive's data is damaged or cut short",
            "4:llama-quantize would refuse the one file type asked for, or (--error) would abort on one of its tensors"
                    + " (the reason and the tensor are printed)",
            "5:a file cannot be read (missing, a directory, no permission; an Ollama model that is not in the store; an"
                    + " archive member that is not there), or the --plot file cannot be written",
            "130:interrupted (Ctrl-C) while measuring errors",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  gguflens simulate model.gguf --to Q4_K_M",
            "  gguflens simulate model.gguf --all",
            "  gguflens simulate model.gguf --to Q3_K_M,Q4_K_M --output-tensor-type q8_0",
            "  gguflens simulate model.gguf --to IQ2_M --imatrix imatrix.gguf",
            "  gguflens simulate model.gguf --to Q4_K_M --sort saving --tensors 'ffn_'",
            "  gguflens simulate --json model.gguf --all > sizes.json",
            "  gguflens simulate model.gguf --to Q4_K_M --error --sort error",
            "  gguflens simulate model.gguf --all --error --sample 0.1",
            "  gguflens simulate model.gguf --to IQ3_M,Q3_K_M --error \\",
            "      --imatrix imatrix.gguf --compare-imatrix",
            "  gguflens simulate small-f16.gguf big-f16.gguf --to Q3_K_M,Q4_K_M,Q6_K --error",
            "  gguflens simulate a.gguf b.gguf --all --error --plot plot.svg --memory 24GiB",
            "",
            "The JSON output is a stable, versioned contract: see docs/json.md.%n",
        })
final class SimulateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The GGUF file to quantize (F32, F16, BF16 or already quantized), any part of a split model "
            + "(model-00002-of-00003.gguf), ollama:NAME[:TAG], or an archive holding one (.zip, .tar, .tar.gz, .tar.xz, "
            + ".tar.zst, .gz, .xz, .zst: sizes read its header, --error streams its tensors in file order); several (with --error) "
            + "to compare models.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--member", paramLabel = "NAME", order = 40,
            description = "In an archive that holds several GGUF files, the one to read (its path in the archive).")
    String member;

    @Option(names = "--to", paramLabel = "FTYPE", split = ",", order = 1, converter = FileTypeConverter.class,
            description = "The file type(s) to simulate: one for the detailed form, several (comma-separated or repeated) for a table.")
    List<LlamaFileType> to = new ArrayList<>();

    @Option(names = "--all", order = 2, description = "Simulate every file type llama-quantize knows, as a table.")
    boolean all;

    @Mixin
    LlamaQuantizeOptions quantize;

    @Option(names = "--error", order = 20, description = "Measure each file type's quantization error (reads every tensor).")
    boolean error;

    @Option(names = "--sample", paramLabel = "FRACTION", order = 21,
            description = "Measure a seeded random fraction of the blocks, 0 < FRACTION <= 1, with 95%% confidence intervals (implies --error).")
    Double sample;

    @Option(names = "--seed", paramLabel = "N", order = 22, description = "The seed of --sample's choice of blocks (default: a fixed one, so runs repeat).")
    Long seed;

    @Option(names = "--by-layer", order = 23, description = "With --error and one file type: also summarize the error per layer.")
    boolean byLayer;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", order = 24, description = "Worker threads for --error (default: one per core). The figures do not depend on it.")
    Integer threads;

    @Option(names = {"-v", "--verbose"}, order = 25, description = "With --error: a line per tensor on standard error as it is measured.")
    boolean verbose;

    @Option(names = "--compare-imatrix", order = 26,
            description = "With --error and --imatrix FILE: also measure each file type without the importance matrix, and show "
                    + "both errors side by side (file types that require one show only the run with it).")
    boolean compareImatrix;

    @Option(names = "--json", order = 30, description = "Print JSON instead of text (see docs/json.md).")
    boolean json;

    @Option(names = "--markdown", order = 31, description = "Print markdown tables instead of text.")
    boolean markdown;

    @Option(names = "--sort", paramLabel = "ORDER", order = 32, converter = OrderConverter.class,
            description = "Order of the tensor table: output (the output file's order, the default), name, size (largest "
                    + "output first), saving (most bytes saved first), type (by target type) or error (largest relative RMSE first; needs --error). JSON keeps the output order.")
    TensorOrder sort = TensorOrder.OUTPUT;

    @Option(names = "--tensors", paramLabel = "REGEX", order = 33, converter = InspectCommand.RegexConverter.class,
            description = "List only the tensors whose name contains a match of this Java regular expression. "
                    + "Totals still cover every tensor.")
    Pattern tensorFilter;

    @Option(names = "--no-tensors", order = 34, description = "Leave out the tensors (text, markdown and JSON).")
    boolean noTensors;

    @Option(names = "--plot", paramLabel = "FILE", order = 40,
            description = "With --error: also draw relative RMSE against file size as a picture, FILE.svg or FILE.png "
                    + "(replaced if it exists). Standard output still gets the table.")
    Path plot;

    @Option(names = "--memory", paramLabel = "SIZE", order = 41, converter = MemorySizeConverter.class,
            description = "With --plot: draw this memory budget (e.g. 24GiB, 24G, 1500MiB, or bytes; K/M/G/T and KiB/MiB/GiB/TiB are "
                    + "powers of 1024, KB/MB/GB/TB powers of 1000) and shade the file sizes beyond it.")
    Long memory;

    @Override
    public Integer call() throws FileFailure, GgufFormatException, IOException {
        List<LlamaFileType> ftypes = fileTypes();
        if (json && markdown) {
            throw usage("--json and --markdown cannot be used together");
        }
        if (quantize.imatrixFile != null && quantize.assumeImatrix) {
            throw usage("--imatrix and --assume-imatrix cannot be used together");
        }
        ErrorOptions errors = errorOptions();
        if (errors != null && quantize.assumeImatrix) {
            throw usage("--assume-imatrix plans types only: it has no importance values to quantize with, so --error cannot"
                    + " measure the weighted types; give the importance matrix with --imatrix FILE");
        }
        if (compareImatrix && (errors == null || quantize.imatrixFile == null)) {
            throw usage("--compare-imatrix needs --error (or --sample FRACTION) and --imatrix FILE: it measures each file type"
                    + " with and without that importance matrix");
        }
        if (compareImatrix && files.size() > 1) {
            throw usage("--compare-imatrix compares one model with and without its importance matrix: give one FILE");
        }
        if (errors == null && files.size() > 1) {
            throw usage("several files are compared by size and error: add --error (or --sample FRACTION)");
        }
        PlotOutput plotOutput = plotOutput(errors);
        ImatrixMode imatrix = quantize.imatrixMode(spec.commandLine());
        List<GgufFile> open = new ArrayList<>();
        try {
            List<SimulateReport> reports = new ArrayList<>();
            boolean single = ftypes.size() == 1 && files.size() == 1;
            for (Path file : files) {
                GgufFile f = InputFiles.openGguf(file, member);
                open.add(f);
                List<SimulateResult> results;
                try {
                    results = Simulation.run(f, quantize, ftypes, imatrix);
                } catch (GgufFormatException e) {
                    throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
                }
                reports.add(new SimulateReport(f, ModelSummary.of(f), quantize.asTyped(), imatrix, results, single,
                        noTensors ? null : new TensorListing(tensorFilter, sort), errors));
            }
            SimulateResult only = reports.getFirst().results().getFirst();
            if (single && !only.ok() && !json) {
                throw refused(files.getFirst(), only);
            }
            if (errors != null) {
                Cancellation cancel = new Cancellation();
                try (InterruptGuard guard = new InterruptGuard(cancel)) {
                    try {
                        reports = measure(reports, errors, single, cancel);
                    } catch (CancelledException e) {
                        // Printed here, before the guard lets a Ctrl-C shutdown proceed: the JVM halts right after.
                        spec.commandLine().getErr().println("gguflens: interrupted; nothing was printed");
                        spec.commandLine().getErr().flush();
                        return ExitCode.INTERRUPTED;
                    }
                }
            }
            render(reports);
            if (single && !only.ok()) {
                throw refused(files.getFirst(), only); // after the JSON, which carries the reason too
            }
            if (plotOutput != null) {
                plotOutput.write(FrontierPlot.scene(new SimulateComparison(reports), memory));
            }
        } finally {
            for (GgufFile f : open) {
                f.close();
            }
        }
        return ExitCode.OK;
    }

    private void render(List<SimulateReport> reports) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (reports.size() > 1) {
            SimulateComparison c = new SimulateComparison(reports);
            if (json) {
                SimulateComparisonRenderer.json(c, out);
            } else if (markdown) {
                SimulateComparisonRenderer.markdown(c, out);
            } else {
                SimulateComparisonRenderer.text(c, out);
            }
            return;
        }
        SimulateReport report = reports.getFirst();
        if (json) {
            SimulateJsonRenderer.render(report, out);
        } else if (markdown) {
            SimulateMarkdownRenderer.render(report, out);
        } else {
            SimulateTextRenderer.render(report, out);
        }
    }

    /**
     * {@code --plot} and {@code --memory} checked before any work (the measuring can take minutes): null without {@code --plot}.
     */
    private PlotOutput plotOutput(ErrorOptions errors) throws FileFailure {
        if (plot == null) {
            if (memory != null) {
                throw usage("--memory needs --plot FILE (it draws the budget on the picture)");
            }
            return null;
        }
        if (errors == null) {
            throw usage("--plot needs --error (or --sample FRACTION): without it there is no error to plot");
        }
        PlotOutput out;
        try {
            out = PlotOutput.of(plot);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        out.check(files);
        return out;
    }

    /** {@code --error}, {@code --sample}, {@code --seed} and {@code --by-layer} checked: null when no error is asked for. */
    private ErrorOptions errorOptions() {
        if (sample != null && !(sample > 0 && sample <= 1)) {
            throw usage("--sample must be a fraction greater than 0 and at most 1, got " + sample);
        }
        if (threads != null && threads < 1) {
            throw usage("--threads must be at least 1, got " + threads);
        }
        boolean measure = error || sample != null;
        if (!measure) {
            for (String[] o : new String[][] {{"--seed", seed == null ? null : ""}, {"--by-layer", byLayer ? "" : null},
                    {"--sort error", sort == TensorOrder.ERROR ? "" : null}}) {
                if (o[1] != null) {
                    throw usage(o[0] + " needs --error (or --sample FRACTION)");
                }
            }
            return null;
        }
        if (seed != null && sample == null) {
            throw usage("--seed needs --sample FRACTION");
        }
        Sampling sampling = sample == null ? null : new Sampling(sample, seed == null ? Sampling.DEFAULT_SEED : seed);
        return new ErrorOptions(sampling, byLayer, compareImatrix);
    }

    /**
     * Runs the error engine for every accepted run of every report: one run per file, measuring all its file types
     * together (each tensor is read once; see {@link ErrorEngine#simulateAll}). With one file type of one file, a
     * tensor llama-quantize would not get through fails the command (exit 4); otherwise it fails that row only.
     */
    private List<SimulateReport> measure(List<SimulateReport> reports, ErrorOptions errors, boolean single, Cancellation cancel)
            throws FileFailure {
        PipelineSettings pipeline = PipelineSettings.forErrors(threads);
        SimulationSettings settings = new SimulationSettings(pipeline, errors.sampling());
        PrintWriter err = spec.commandLine().getErr();
        List<SimulateReport> measured = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++) {
            SimulateReport r = reports.get(i);
            Path file = files.get(i);
            // The plans to measure: each accepted file type's, then (--compare-imatrix) each one's without the imatrix.
            List<Plan> plans = new ArrayList<>();
            Map<SimulateResult, Plan> plain = new HashMap<>();
            for (SimulateResult s : r.results()) {
                if (s.ok()) {
                    plans.add(s.plan());
                }
            }
            if (errors.compareImatrix()) {
                for (SimulateResult s : r.results()) {
                    if (s.ok()) {
                        Plan p = planWithoutImatrix(r.file(), file, s);
                        plain.put(s, p);
                        if (p.ok()) {
                            plans.add(p);
                        }
                    }
                }
            }
            List<ErrorEngine.Outcome> outcomes = run(r.file(), file, plans, settings, err, label(reports.size() > 1, file, plans), cancel);
            Map<Plan, ErrorEngine.Outcome> byPlan = new IdentityHashMap<>();
            for (int k = 0; k < plans.size(); k++) {
                byPlan.put(plans.get(k), outcomes.get(k));
            }
            List<SimulateResult> results = new ArrayList<>();
            for (SimulateResult s : r.results()) {
                if (!s.ok()) {
                    results.add(s);
                    continue;
                }
                ErrorEngine.Outcome o = byPlan.get(s.plan());
                if (o.failure() != null && single) {
                    throw new FileFailure(file, o.failure().getMessage(), ExitCode.IMPOSSIBLE, o.failure());
                }
                SimulateResult measuredResult = s.withError(o);
                if (errors.compareImatrix()) {
                    Plan p = plain.get(s);
                    measuredResult = measuredResult.withUnweighted(SimulateResult.Unweighted.of(p, p.ok() ? byPlan.get(p) : null));
                }
                results.add(measuredResult);
            }
            measured.add(new SimulateReport(r.file(), r.summary(), r.options(), r.imatrix(), results, r.single(), r.tensors(), errors));
        }
        return measured;
    }

    /** Measures {@code plans} of one file in one run, with the progress display. */
    private List<ErrorEngine.Outcome> run(GgufFile f, Path file, List<Plan> plans, SimulationSettings settings, PrintWriter err,
                                          Function<String, String> describe, Cancellation cancel) throws FileFailure {
        if (plans.isEmpty()) {
            return List.of();
        }
        try (ProgressDisplay progress = ProgressDisplay.on(err, verbose, describe)) {
            return ErrorEngine.simulateAll(f, plans, settings, progress, cancel);
        } catch (java.io.UncheckedIOException e) {
            throw archiveFailure(file, e);
        }
    }

    /**
     * A per-tensor progress line's tail: with one plan {@code : Q4_K_M F16 -> Q4_K} or {@code : F32, kept} (after the
     * file's name when several files are measured); with several, {@code : 5 file types}.
     */
    private static Function<String, String> label(boolean severalFiles, Path file, List<Plan> plans) {
        String fileLabel = severalFiles ? SafeText.escapeControls(file.toString()) + " " : "";
        if (plans.size() != 1) {
            long types = plans.stream().map(Plan::ftype).distinct().count();
            String what = types == plans.size() ? types + " file types" : types + " file types, with and without the imatrix";
            return name -> ": " + fileLabel + what;
        }
        Map<String, PlannedTensor> byName = new HashMap<>();
        plans.getFirst().tensors().forEach(t -> byName.put(t.name(), t));
        return name -> describe(fileLabel, byName.get(name));
    }

    /** {@code --compare-imatrix}: the same file type planned without the importance matrix. */
    private static Plan planWithoutImatrix(GgufFile f, Path file, SimulateResult s) throws FileFailure {
        try {
            return Planner.plan(f, s.plan().options().withImatrix(ImatrixMode.NONE));
        } catch (GgufFormatException e) {
            throw new FileFailure(file, e.getMessage(), ExitCode.INVALID_GGUF, e);
        }
    }

    /** Reading an archive's stream: damaged or truncated data is the file's fault, a failing disk is I/O. */
    private static FileFailure archiveFailure(Path file, java.io.UncheckedIOException e) {
        boolean io = e.getCause() instanceof java.nio.file.FileSystemException;
        return new FileFailure(file, (io ? "" : "cannot read the archive: ") + InputFiles.reason(e.getCause()),
                io ? ExitCode.IO : ExitCode.INVALID_GGUF, e);
    }

    /** A per-tensor progress line's tail: {@code : Q4_K_M F16 -> Q4_K}, or {@code : F32, kept}. */
    private static String describe(String label, PlannedTensor t) {
        if (t == null) {
            return "";
        }
        return ": " + label + (t.copied() ? t.sourceType() + ", kept" : t.sourceType() + " -> " + t.targetType());
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

    /** llama-quantize would refuse the one file type asked for: its reason, and what would make it possible. */
    private FileFailure refused(Path file, SimulateResult r) {
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
