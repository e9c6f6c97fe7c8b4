package dev.gguflens.plan;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.imatrix.ImatrixEntry;
import dev.gguflens.imatrix.ImatrixFile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which weights of a model an importance matrix covers, as llama-quantize would look them up
 * (quantizers-imatrix.md §1.5): the tensors llama-quantize may quantize (llama-quantize-rules.md §3.2), each
 * with an entry of its length ({@code ne0·ne2}), without one, or with one of another length.
 *
 * @param weights     the model's quantizable tensors, in llama-quantize's visiting order
 * @param covered     those with an entry of their length
 * @param missing     those without an entry, each with the low-bit file types that would then fail on it
 * @param mismatched  those whose entry has another length
 * @param unused      entries that name no quantizable tensor of the model
 */
public record ImatrixCoverage(List<String> weights, List<String> covered, List<Missing> missing, List<Mismatch> mismatched,
                              List<String> unused) {

    /** The file types in which llama-quantize requires an imatrix on ordinary models (llama-quantize-rules.md §10.1). */
    public static final List<LlamaFileType> LOW_BIT = List.of(LlamaFileType.MOSTLY_IQ1_S, LlamaFileType.MOSTLY_IQ1_M,
            LlamaFileType.MOSTLY_IQ2_XXS, LlamaFileType.MOSTLY_IQ2_XS, LlamaFileType.MOSTLY_IQ2_S, LlamaFileType.MOSTLY_IQ2_M,
            LlamaFileType.MOSTLY_IQ3_XXS, LlamaFileType.MOSTLY_IQ3_XS, LlamaFileType.MOSTLY_Q2_K_S);

    /**
     * A weight without an entry.
     *
     * @param name       the tensor
     * @param requiredBy the {@link #LOW_BIT} file types in which it gets a type that requires an imatrix (so
     *                   llama-quantize would fail: "Missing importance matrix for tensor ..."); empty when it would be
     *                   quantized without weights in all of them
     */
    public record Missing(String name, List<LlamaFileType> requiredBy) {
    }

    /**
     * A weight whose entry has another length.
     *
     * @param name     the tensor
     * @param entry    the entry's values
     * @param expected {@code ne0·ne2} of the tensor
     * @param fatal    llama-quantize fails the run on it (every tensor but the token embeddings, which go unweighted)
     */
    public record Mismatch(String name, long entry, long expected, boolean fatal) {
    }

    public ImatrixCoverage {
        weights = List.copyOf(weights);
        covered = List.copyOf(covered);
        missing = List.copyOf(missing);
        mismatched = List.copyOf(mismatched);
        unused = List.copyOf(unused);
    }

    /** The coverage of {@code model}'s weights by {@code imatrix}. */
    public static ImatrixCoverage of(GgufFile model, ImatrixFile imatrix) throws GgufFormatException {
        PreparedModel m = PreparedModel.of(model.path() == null ? "(memory)" : model.path().toString(), model.metadata(),
                model.tensors(), QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M));
        // The types each low-bit file type gives every tensor with an imatrix, to see which would require one.
        Map<LlamaFileType, Map<String, PlannedTensor>> planned = new LinkedHashMap<>();
        for (LlamaFileType f : LOW_BIT) {
            Plan p = Planner.plan(m, QuantizeOptions.of(f).withImatrix(ImatrixMode.ASSUMED).withAllowRequantize(true));
            Map<String, PlannedTensor> byName = new LinkedHashMap<>();
            p.tensors().forEach(t -> byName.put(t.name(), t));
            planned.put(f, byName);
        }
        List<String> weights = new ArrayList<>();
        List<String> covered = new ArrayList<>();
        List<Missing> missing = new ArrayList<>();
        List<Mismatch> mismatched = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (SourceTensor v : m.tensors()) {
            if (!v.quantizable()) {
                continue;
            }
            weights.add(v.name());
            seen.add(v.name());
            ImatrixEntry e = imatrix.entries().get(v.name());
            long expected = v.rowLength() * v.ne2();
            if (e == null) {
                List<LlamaFileType> requiredBy = new ArrayList<>();
                planned.forEach((f, byName) -> {
                    PlannedTensor t = byName.get(v.name());
                    if (t != null && !t.copied() && ImatrixRequirement.requires(v.name(), t.targetType(), f)) {
                        requiredBy.add(f);
                    }
                });
                missing.add(new Missing(v.name(), requiredBy));
            } else if (e.values().length != expected) {
                mismatched.add(new Mismatch(v.name(), e.values().length, expected, !TensorCategory.isTokenEmbedding(v.name())));
            } else {
                covered.add(v.name());
            }
        }
        List<String> unused = imatrix.entries().keySet().stream().filter(n -> !seen.contains(n)).toList();
        return new ImatrixCoverage(weights, covered, missing, mismatched, unused);
    }
}
