package dev.gguflens.plan;

import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans what llama-quantize would write (llama-quantize-rules.md §3): the default type, the first pass
 * (types, fallback, imatrix requirement), the second pass (what converting each tensor would refuse),
 * and the output's layout. Reads only the header: no tensor data is touched.
 */
public final class Planner {
    /** llama-quantize pads the header and every tensor to 32 bytes, whatever {@code general.alignment} says. */
    static final int ALIGNMENT = 32;

    private Planner() {
    }

    /** Plans one run on a file that has been read. */
    public static Plan plan(GgufFile file, QuantizeOptions options) throws GgufFormatException {
        return plan(sourceName(file), file.metadata(), file.tensors(), options);
    }

    /** Plans one run from a header: metadata and tensor infos in file order. */
    public static Plan plan(String source, List<MetadataEntry> metadata, List<TensorInfo> tensors, QuantizeOptions options)
            throws GgufFormatException {
        return plan(PreparedModel.of(source, metadata, tensors, options), options);
    }

    /** Plans every current file type, in id order, each with {@code options}' other settings and its own status. */
    public static List<Plan> planAll(GgufFile file, QuantizeOptions options) throws GgufFormatException {
        return planAll(sourceName(file), file.metadata(), file.tensors(), options);
    }

    /** {@link #planAll(GgufFile, QuantizeOptions)} from a header. */
    public static List<Plan> planAll(String source, List<MetadataEntry> metadata, List<TensorInfo> tensors, QuantizeOptions options)
            throws GgufFormatException {
        return plan(source, metadata, tensors, options, LlamaFileType.current());
    }

    /**
     * Plans {@code ftypes}, in the order given, each with {@code options}' other settings and its own status, on one
     * preparation of the model.
     */
    public static List<Plan> plan(GgufFile file, QuantizeOptions options, List<LlamaFileType> ftypes) throws GgufFormatException {
        return plan(sourceName(file), file.metadata(), file.tensors(), options, ftypes);
    }

    private static List<Plan> plan(String source, List<MetadataEntry> metadata, List<TensorInfo> tensors, QuantizeOptions options,
                                   List<LlamaFileType> ftypes) throws GgufFormatException {
        // What the preparation depends on (tensor list, --leave-output-tensor, --tensor-type) is the same for every ftype.
        PreparedModel model = PreparedModel.of(source, metadata, tensors, options);
        List<Plan> plans = new ArrayList<>(ftypes.size());
        for (LlamaFileType f : ftypes) {
            plans.add(plan(model, options.withFtype(f)));
        }
        return plans;
    }

    static Plan plan(PreparedModel model, QuantizeOptions options) {
        try {
            return run(model, options);
        } catch (QuantizeRefusal refusal) {
            return new Plan(model.source(), options.ftype(), options, Plan.Status.FAILED, refusal.getMessage(), List.of(), List.of(),
                    0, 0, 0, 0, model.sourceBytes(), model.parameterCount(), 0, List.of());
        }
    }

    private static Plan run(PreparedModel model, QuantizeOptions options) throws QuantizeRefusal {
        LlamaFileType ftype = options.ftype();
        // §3 step 1.
        GgmlType defaultType = ftype.defaultType();
        if (defaultType == null) {
            throw new QuantizeRefusal("invalid output file type " + ftype.id());
        }
        // §3 step 3.
        if (options.imatrix() instanceof ImatrixMode.FromFile(ImatrixFile f) && f.nonFiniteValue() != null) {
            throw new QuantizeRefusal("imatrix contains non-finite value " + f.nonFiniteValue());
        }
        FirstPass first = firstPass(model, options, defaultType);
        List<Choice> choices = first.choices();
        int fallbacks = first.fallbacks();
        ImatrixUse[] weighting = new ImatrixUse[choices.size()];
        long[] sizes = secondPass(model, options, choices, weighting);

        List<MetadataEntry> metadata = OutputMetadata.of(model.metadata(), ftype, options.imatrix());
        List<GgufWriter.TensorSpec> specs = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            SourceTensor v = model.tensors().get(i);
            specs.add(new GgufWriter.TensorSpec(v.name(), QuantizationFilter.storedShape(v.info().ne()), choices.get(i).type()));
        }
        // The writer's own arithmetic (§8.3, §8.4), without building the header bytes: a plan needs only sizes.
        GgufWriter.Measure layout = GgufWriter.measure(metadata, specs, ALIGNMENT);

        List<PlannedTensor> planned = new ArrayList<>(choices.size());
        long tensorBytes = 0;
        for (int i = 0; i < choices.size(); i++) {
            SourceTensor v = model.tensors().get(i);
            TensorInfo placed = layout.tensors().get(i);
            long size = sizes[i];
            if (placed.bytes() != size) {
                throw new IllegalStateException("tensor '" + v.name() + "': planned " + size + " bytes, layout " + placed.bytes());
            }
            planned.add(new PlannedTensor(v.name(), placed.ne(), v.info().type(), placed.type(), v.info().bytes(), size,
                    placed.offset(), choices.get(i).reason(), weighting[i]));
            tensorBytes += size;
        }
        return new Plan(model.source(), ftype, options, Plan.Status.OK, null, planned, metadata, layout.headerLength(),
                layout.dataOffset(), layout.fileSize(), tensorBytes, model.sourceBytes(), model.parameterCount(), fallbacks,
                warnings(model, fallbacks));
    }

    private record FirstPass(List<Choice> choices, int fallbacks) {
    }

    /**
     * §3 step 7: every tensor's type in visiting order. A refusal from the rules (no fallback, no layer)
     * or a required but absent imatrix stops the run at that tensor, before anything is written.
     */
    private static FirstPass firstPass(PreparedModel model, QuantizeOptions options, GgmlType defaultType) throws QuantizeRefusal {
        MixtureRules rules = new MixtureRules(options.ftype(), model.facts(), options.imatrix().present(), model.tiedEmbeddings(),
                model.nAttentionWv(), options.outputTensorType(), options.tokenEmbeddingType());
        TypeSelector selector = new TypeSelector(options, defaultType, rules);
        List<Choice> choices = new ArrayList<>(model.tensors().size());
        for (SourceTensor v : model.tensors()) {
            Choice c = selector.select(v);
            if (v.quantizable() && !options.imatrix().present() && ImatrixRequirement.requires(v.name(), c.type(), options.ftype())) {
                throw new QuantizeRefusal("this quantization requires an imatrix! offending tensor: " + v.name()
                        + ", target type: " + c.type().ggmlName());
            }
            choices.add(c);
        }
        return new FirstPass(choices, selector.fallbacks());
    }

    /**
     * §3 step 8: each tensor's output size, and what would stop the write at a tensor that changes type,
     * in llama.cpp's order: the imatrix entry, then whether the source type can be converted at all.
     */
    private static long[] secondPass(PreparedModel model, QuantizeOptions options, List<Choice> choices, ImatrixUse[] weighting)
            throws QuantizeRefusal {
        long[] sizes = new long[choices.size()];
        for (int i = 0; i < choices.size(); i++) {
            SourceTensor v = model.tensors().get(i);
            GgmlType source = v.info().type();
            GgmlType target = choices.get(i).type();
            weighting[i] = ImatrixUse.NONE;
            if (target.id() == source.id()) {
                sizes[i] = v.info().bytes();
                continue;
            }
            weighting[i] = imatrixEntry(v, target, options);
            if (!source.equals(GgmlType.F32)) {
                if (source.quantized() && !options.allowRequantize()) {
                    throw new QuantizeRefusal("requantizing from type " + source.ggmlName() + " is disabled (tensor " + v.name()
                            + "; llama-quantize needs --allow-requantize)");
                }
                if (!source.quantized() && !source.equals(GgmlType.F16) && !source.equals(GgmlType.BF16)) {
                    throw new QuantizeRefusal("cannot dequantize/convert tensor type " + source.ggmlName() + " (tensor " + v.name() + ")");
                }
            }
            if (v.rowLength() % target.blockSize() != 0) {
                // Only --output-tensor-type and --token-embedding-type skip the fallback; ggml then asserts.
                throw new QuantizeRefusal("tensor " + v.name() + ": rows of " + v.rowLength() + " are not a multiple of "
                        + target.blockSize() + ", the block size of " + target.ggmlName() + "; ggml aborts");
            }
            sizes[i] = Math.multiplyExact(v.rows(), target.rowBytes(v.rowLength()));
        }
        return sizes;
    }

    /**
     * How a converted tensor uses the run's importance matrix. With an imatrix file: an entry of the wrong size is fatal
     * (but for the token embeddings, which then go unweighted), and a tensor that requires one must have one (§10.2).
     */
    private static ImatrixUse imatrixEntry(SourceTensor v, GgmlType target, QuantizeOptions options) throws QuantizeRefusal {
        if (!options.imatrix().present()) {
            return ImatrixUse.NONE; // the first pass already refused the tensors that require one
        }
        if (!(options.imatrix() instanceof ImatrixMode.FromFile(ImatrixFile f))) {
            return ImatrixUse.WEIGHTED; // assumed: an entry for every tensor
        }
        Long entry = f.entry(v.name()).map(e -> (long) e.values().length).orElse(null);
        boolean usable = false;
        if (entry != null) {
            long expected = v.rowLength() * v.ne2();
            if (entry == expected) {
                usable = true;
            } else if (!TensorCategory.isTokenEmbedding(v.name())) {
                throw new QuantizeRefusal("imatrix size " + entry + " is different from tensor size " + expected + " for " + v.name());
            }
        }
        if (!usable && ImatrixRequirement.requires(v.name(), target, options.ftype())) {
            throw new QuantizeRefusal("Missing importance matrix for tensor " + v.name() + " in a very low-bit quantization");
        }
        return usable ? ImatrixUse.WEIGHTED : entry == null ? ImatrixUse.NO_ENTRY : ImatrixUse.WRONG_LENGTH;
    }

    private static List<String> warnings(PreparedModel model, int fallbacks) {
        List<String> out = new ArrayList<>();
        if (fallbacks > 0) {
            // llama.cpp's own line, without its "llama_model_quantize_impl: WARNING: " prefix.
            out.add(fallbacks + " of " + model.tensors().size() + " tensor(s) required fallback quantization");
        }
        for (MetadataEntry e : model.metadata()) {
            if (e.key().equals("general.alignment") && !(e.value() instanceof GgufValue.Int a && a.bits() == ALIGNMENT)) {
                out.add("the source sets general.alignment to " + e.value() + ": llama-quantize copies the key but pads to "
                        + ALIGNMENT + " bytes, so llama.cpp will refuse the output");
            }
        }
        return out;
    }

    private static String sourceName(GgufFile file) {
        return file.path() == null ? "(memory)" : file.path().toString();
    }
}
