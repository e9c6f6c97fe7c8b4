package dev.gguflens.cli;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.memory.ContextOptions;
import dev.gguflens.plan.ImatrixMode;
import dev.gguflens.plan.Plan;
import dev.gguflens.report.FitRenderer;
import dev.gguflens.report.FitReport;
import dev.gguflens.report.SafeText;
import dev.gguflens.report.SimulateResult;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gguflens fit FILE... --memory SIZE}: which model, at which file type, fits a memory budget with its
 * context, and (with {@code --error}) what it loses. Weights come from the plans, the context's memory from
 * the memory package; the report package chooses the best option and renders the table.
 */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        headerHeading = "%n", header = "Choose a model and file type that fits a memory budget, context included.",
        synopsisHeading = "%nUsage: ",
        descriptionHeading = "%n",
        description = {
            "For every model and file type (every one llama-quantize knows, or --to):",
            "the weights (the planned file's tensor bytes, as llama.cpp maps them), the",
            "KV cache, the output buffer and the compute buffer llama.cpp allocates for",
            "a context, and their total against --memory. One table, smallest total",
            "first: what fits, by how much, and with --error what it loses. The first",
            "line names the best option that fits: with --error the one with the",
            "smallest measured relative RMSE, otherwise the largest that fits.",
            "",
            "The context is llama.cpp's (the oracle's build, commit 0ad4a86) on the CPU,",
            "with its command-line defaults unless given: n_ctx the model's",
            "context_length (llama.cpp's -c 0), n_batch 2048, n_ubatch 512, one",
            "sequence (llama-server defaults to 4 in one unified cache: -np 4",
            "--kv-unified), f16 K and V caches, flash attention auto (on: llama.cpp",
            "resolves it so on the CPU), window-sized caches for sliding-window layers.",
            "llama.cpp's own --fit (on by default) would then lower an unset context",
            "until the model fits the free memory, down to 4096 tokens; fit does not:",
            "it sizes the model's full context unless --ctx says otherwise.",
            "",
            "The KV cache follows llama.cpp to the byte: per layer K and V rows of its",
            "KV heads x head width, sliding-window layers with their own smaller cache,",
            "MLA models (deepseek2) with one compressed K row and no V, one cache per",
            "sequence unless --kv-unified, Mamba/RWKV-style layers with one state per",
            "sequence. The output buffer holds one row of logits per sequence. The",
            "compute buffer is an estimate of llama.cpp's worst-case graph buffer",
            "(within 10%% of its own figures on the graphs measured); where a graph is",
            "not modelled the table shows a lower bound (>=). A context llama.cpp",
            "would refuse (an MLA model with different K and V types, a quantized V",
            "cache without flash attention) is reported with llama.cpp's reason.",
            "",
            "File types that need an importance matrix are sized as if given one and",
            "marked so, and never chosen as the best: give --imatrix FILE (or",
            "--assume-imatrix) to plan them as llama-quantize would with one.",
            "",
            "SIZE: a number and a unit: 24GiB, 24G, 24000MiB, 1.5TiB, or bytes. K M G T",
            "and KiB MiB GiB TiB are powers of 1024; KB MB GB TB powers of 1000 (a",
            "\"24 GB\" graphics card has 24 GiB).",
        },
        parameterListHeading = "%nParameters:%n",
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:sized every option (also when nothing fits, or llama.cpp or llama-quantize refuses some)",
            "2:bad usage (a malformed size, an unknown file type or cache type, conflicting options)",
            "3:a file (or the --imatrix file) is not a valid GGUF file or model",
            "5:a file cannot be read (missing, a directory, no permission)",
            "130:interrupted (Ctrl-C) while measuring errors",
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  gguflens fit model.gguf --memory 24GiB",
            "  gguflens fit llama-8b-f16.gguf llama-70b-f16.gguf --memory 48G --ctx 8192",
            "  gguflens fit model.gguf -m 16G --ctx 32768 --kv-type q8_0 --to Q4_K_M,Q6_K",
            "  gguflens fit model.gguf --memory 24GiB --parallel 4 --kv-unified",
            "  gguflens fit a.gguf b.gguf --memory 24GiB --ctx 8192 --error --sample 0.01",
            "  gguflens fit --json model.gguf --memory 25769803776 > fit.json",
            "",
            "The JSON output is a stable, versioned contract: see docs/json.md.%n",
        })
final class FitCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The models (any file type; each is planned to every file type asked for).")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", required = true, order = -12, converter = MemorySizeConverter.class,
            description = "The memory budget: weights, KV cache, output and compute buffers must fit in it.")
    long budget;

    @Option(names = {"-c", "--ctx", "--ctx-size"}, paramLabel = "N", order = -11,
            description = "The context in tokens (default: each model's context_length, as llama.cpp's -c 0).")
    Long ctx;

    @Option(names = "--kv-type", paramLabel = "TYPE", order = -10, converter = CacheTypeConverter.class,
            description = "The K and V cache type: f16 (default), q8_0, q4_0 (or f32, bf16, q4_1, iq4_nl, q5_0, q5_1).")
    GgmlType kvType;

    @Option(names = {"-ctk", "--cache-type-k"}, paramLabel = "TYPE", order = -9, converter = CacheTypeConverter.class,
            description = "The K cache type alone, as llama.cpp's -ctk.")
    GgmlType cacheTypeK;

    @Option(names = {"-ctv", "--cache-type-v"}, paramLabel = "TYPE", order = -8, converter = CacheTypeConverter.class,
            description = "The V cache type alone, as llama.cpp's -ctv.")
    GgmlType cacheTypeV;

    @Option(names = {"-np", "--parallel"}, paramLabel = "N", order = -7,
            description = "Sequences decoded at once (default 1): each gets its own cache of n_ctx / N cells unless --kv-unified.")
    Integer parallel;

    @Option(names = {"-kvu", "--kv-unified"}, order = -6, description = "One KV cache shared by every sequence, as llama.cpp's --kv-unified.")
    boolean kvUnified;

    @Option(names = "--swa-full", negatable = true, order = -5,
            description = "Full-size caches for sliding-window layers (llama.cpp's --swa-full; default off: window-sized).")
    boolean swaFull;

    @Option(names = {"-fa", "--flash-attn"}, paramLabel = "on|off|auto", order = -4, converter = FlashAttentionConverter.class,
            description = "Flash attention (default auto, which llama.cpp turns on on the CPU). Without it the attention scores"
                    + " take n_ctx x n_ubatch x heads x 4 bytes.")
    ContextOptions.FlashAttention flashAttention;

    @Option(names = {"-b", "--batch-size"}, paramLabel = "N", order = -3, description = "llama.cpp's n_batch (default 2048).")
    Long batch;

    @Option(names = {"-ub", "--ubatch-size"}, paramLabel = "N", order = -2,
            description = "llama.cpp's n_ubatch (default 512): the compute buffer grows with it.")
    Long ubatch;

    @Option(names = "--to", paramLabel = "FTYPE", split = ",", order = -1, converter = SimulateCommand.FileTypeConverter.class,
            description = "The file types to consider (comma-separated or repeated; default: every one).")
    List<LlamaFileType> to = new ArrayList<>();

    @Mixin
    LlamaQuantizeOptions quantize;

    @Option(names = "--error", order = 20, description = "Measure the relative RMSE of every option that fits (reads its tensors), "
            + "and choose the best by it.")
    boolean error;

    @Option(names = "--sample", paramLabel = "FRACTION", order = 21,
            description = "Measure a seeded random fraction of the blocks, 0 < FRACTION <= 1 (implies --error).")
    Double sample;

    @Option(names = "--seed", paramLabel = "N", order = 22, description = "The seed of --sample's choice of blocks.")
    Long seed;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", order = 23, description = "Worker threads for --error (default: one per core).")
    Integer threads;

    @Option(names = {"-v", "--verbose"}, order = 24, description = "With --error: a line per tensor on standard error as it is measured.")
    boolean verbose;

    @Option(names = "--json", order = 30, description = "Print JSON instead of text, sizes in bytes (see docs/json.md).")
    boolean json;

    @Override
    public Integer call() throws FileFailure, GgufFormatException, IOException {
        ContextOptions context = contextOptions();
        List<LlamaFileType> ftypes = to.isEmpty() ? LlamaFileType.current() : List.copyOf(new LinkedHashSet<>(to));
        Sampling sampling = sampling();
        boolean measure = error || sample != null;
        if (quantize.imatrixFile != null && quantize.assumeImatrix) {
            throw usage("--imatrix and --assume-imatrix cannot be used together");
        }
        if (measure && quantize.assumeImatrix) {
            throw usage("--assume-imatrix plans types only: it has no importance values to quantize with, so --error cannot"
                    + " measure the weighted types; give the importance matrix with --imatrix FILE");
        }
        // A format error in the imatrix file already names it ("imatrix file PATH: ...") and exits 3.
        ImatrixMode imatrix = quantize.imatrixMode(spec.commandLine());
        List<ModelSizing.Sized> sized = new ModelSizing(quantize, ftypes, imatrix, context).run(files);
        List<GgufFile> open = new ArrayList<>();
        sized.forEach(z -> open.add(z.file()));
        try {
            List<FitReport.Model> models = new ArrayList<>();
            List<FitReport.Option> options = new ArrayList<>();
            for (int i = 0; i < sized.size(); i++) {
                ModelSizing.Sized z = sized.get(i);
                models.add(z.model());
                for (SimulateResult r : z.results()) {
                    options.add(new FitReport.Option(i, r, z.model().memory(), budget));
                }
            }
            if (measure) {
                Cancellation cancel = new Cancellation();
                try (InterruptGuard guard = new InterruptGuard(cancel)) {
                    try {
                        options = measure(open, options, sampling, cancel);
                    } catch (CancelledException e) {
                        spec.commandLine().getErr().println("gguflens: interrupted; nothing was printed");
                        spec.commandLine().getErr().flush();
                        return ExitCode.INTERRUPTED;
                    }
                }
            }
            FitReport report = FitReport.of(budget, context, models, options, measure, sampling);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                FitRenderer.json(report, out);
            } else {
                FitRenderer.text(report, out);
            }
        } finally {
            for (GgufFile f : open) {
                f.close();
            }
        }
        return ExitCode.OK;
    }

    /** The options as given over llama.cpp's command-line defaults. */
    private ContextOptions contextOptions() {
        if (kvType != null && (cacheTypeK != null || cacheTypeV != null)) {
            throw usage("--kv-type sets both cache types: use it or --cache-type-k/--cache-type-v, not both");
        }
        ContextOptions o = ContextOptions.defaults();
        if (ctx != null) {
            if (ctx < 1) {
                throw usage("--ctx must be at least 1, got " + ctx);
            }
            o = o.withCtx(ctx);
        }
        if ((batch != null && batch < 1) || (ubatch != null && ubatch < 1)) {
            throw usage("--batch-size and --ubatch-size must be at least 1");
        }
        o = o.withBatch(batch == null ? o.batch() : batch, ubatch == null ? o.ubatch() : ubatch);
        if (parallel != null && parallel < 1) {
            throw usage("--parallel must be at least 1, got " + parallel);
        }
        o = o.withParallel(parallel == null ? 1 : parallel, kvUnified).withSwaFull(swaFull);
        if (flashAttention != null) {
            o = o.withFlashAttention(flashAttention);
        }
        GgmlType k = kvType != null ? kvType : cacheTypeK != null ? cacheTypeK : o.typeK();
        GgmlType v = kvType != null ? kvType : cacheTypeV != null ? cacheTypeV : o.typeV();
        return o.withCacheTypes(k, v);
    }

    private Sampling sampling() {
        if (sample != null && !(sample > 0 && sample <= 1)) {
            throw usage("--sample must be a fraction greater than 0 and at most 1, got " + sample);
        }
        if (seed != null && sample == null) {
            throw usage("--seed needs --sample FRACTION");
        }
        if (threads != null && threads < 1) {
            throw usage("--threads must be at least 1, got " + threads);
        }
        if (!(error || sample != null) && (threads != null || verbose)) {
            throw usage((threads != null ? "--threads" : "--verbose") + " needs --error (or --sample FRACTION)");
        }
        return sample == null ? null : new Sampling(sample, seed == null ? Sampling.DEFAULT_SEED : seed);
    }

    /**
     * Measures the options that fit (only their error can decide the choice; measuring the others would read
     * every tensor of every file type for nothing): one run per model, all its options together, so each tensor
     * is read once and encoded once per distinct target type (see {@link ErrorEngine#simulateAll}).
     */
    private List<FitReport.Option> measure(List<GgufFile> open, List<FitReport.Option> options, Sampling sampling, Cancellation cancel) {
        PipelineSettings pipeline = PipelineSettings.forErrors(threads);
        // fit compares the options by the model's relative RMSE alone: no percentiles, no per-role or per-layer figures.
        SimulationSettings settings = new SimulationSettings(pipeline, sampling, SimulationSettings.Detail.SUMS);
        PrintWriter err = spec.commandLine().getErr();
        List<FitReport.Option> out = new ArrayList<>(options);
        for (int model = 0; model < open.size(); model++) {
            List<Integer> measured = new ArrayList<>();
            List<Plan> plans = new ArrayList<>();
            for (int i = 0; i < options.size(); i++) {
                FitReport.Option o = options.get(i);
                if (o.model() == model && o.fits() && !o.needsImatrix()) {
                    measured.add(i);
                    plans.add(o.result().plan());
                }
            }
            if (plans.isEmpty()) {
                continue;
            }
            String label = SafeText.escapeControls(files.get(model).toString()) + " (" + plans.size() + " file types)";
            List<ErrorEngine.Outcome> outcomes;
            try (ProgressDisplay progress = ProgressDisplay.on(err, verbose, name -> ": " + label)) {
                outcomes = ErrorEngine.simulateAll(open.get(model), plans, settings, progress, cancel);
            }
            for (int k = 0; k < measured.size(); k++) {
                FitReport.Option o = options.get(measured.get(k));
                out.set(measured.get(k), new FitReport.Option(o.model(), o.result().withError(outcomes.get(k)), o.memory(), o.budget()));
            }
        }
        return out;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** A KV cache type as llama.cpp's {@code --cache-type-k} accepts it, in any case. */
    static final class CacheTypeConverter implements CommandLine.ITypeConverter<GgmlType> {
        @Override
        public GgmlType convert(String value) {
            return ContextOptions.CACHE_TYPES.stream().filter(t -> t.ggmlName().equalsIgnoreCase(value.strip())).findFirst()
                    .orElseThrow(() -> new CommandLine.TypeConversionException("unsupported cache type '" + value + "'; valid: "
                            + ContextOptions.CACHE_TYPES.stream().map(GgmlType::ggmlName).collect(Collectors.joining(", "))));
        }
    }

    /** {@code on}, {@code off} or {@code auto}, as llama.cpp's {@code -fa} (also its truthy and falsy spellings). */
    static final class FlashAttentionConverter implements CommandLine.ITypeConverter<ContextOptions.FlashAttention> {
        @Override
        public ContextOptions.FlashAttention convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "on", "enabled", "true", "1" -> ContextOptions.FlashAttention.ON;
                case "off", "disabled", "false", "0" -> ContextOptions.FlashAttention.OFF;
                case "auto", "-1" -> ContextOptions.FlashAttention.AUTO;
                default -> throw new CommandLine.TypeConversionException("unknown flash attention value '" + value + "'; valid: on, off, auto");
            };
        }
    }
}
