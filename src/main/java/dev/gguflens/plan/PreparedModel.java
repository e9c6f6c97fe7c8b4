package dev.gguflens.plan;

import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.LayerNumber;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A source model made ready for planning: its facts, its tensors in llama-quantize's visiting order
 * with their categories, quantizability and matching override, and the counters that depend only on
 * the tensor list (llama-quantize-rules.md §3 steps 2, 5 and 6). It does not depend on the file type,
 * so one serves every file type planned with the same other options.
 *
 * @param source          the source's path or name
 * @param metadata        the source's metadata in file order
 * @param facts           the hyperparameters the rules read
 * @param tensors         the tensors in visiting order, which is also the output order
 * @param tiedEmbeddings  no tensor is named exactly output.weight
 * @param nAttentionWv    the number of V-like tensors
 * @param parameterCount  the element count of every tensor
 * @param sourceBytes     the bytes of every tensor
 */
record PreparedModel(String source, List<MetadataEntry> metadata, ModelFacts facts, List<SourceTensor> tensors,
                     boolean tiedEmbeddings, int nAttentionWv, long parameterCount, long sourceBytes) {

    static PreparedModel of(String source, List<MetadataEntry> metadata, List<TensorInfo> tensors, QuantizeOptions options)
            throws GgufFormatException {
        ModelFacts facts = ModelFacts.of(metadata);
        List<SourceTensor> visits = new ArrayList<>(tensors.size());
        boolean tied = true;
        int nWv = 0;
        long params = 0;
        long bytes = 0;
        for (TensorInfo t : visitingOrder(tensors)) {
            if (!t.type().hasKnownSize()) {
                throw new GgufFormatException("tensor '" + t.name() + "' has type " + t.type().name() + " (id " + t.type().id()
                        + ") of unknown size: llama-quantize cannot load the model", t.infoOffset());
            }
            TensorCategory category = TensorCategory.of(t.name());
            String keep = QuantizationFilter.keepReason(t.name(), t.ne(), options.leaveOutputTensor()).orElse(null);
            visits.add(new SourceTensor(t, category, keep, firstOverride(t.name(), options)));
            // Counted by name alone: a non-quantizable V-like tensor still counts (§3 step 6).
            if (category.isValueLike()) {
                nWv++;
            }
            if (category == TensorCategory.OUTPUT) {
                tied = false;
            }
            params += t.elements();
            bytes += t.bytes();
        }
        return new PreparedModel(source, List.copyOf(metadata), facts, List.copyOf(visits), tied, nWv, params, bytes);
    }

    /**
     * §3 step 5: by layer number (the integer after a leading {@code blk.}, -1 without one), then by
     * name in byte order, as llama.cpp's model loader keeps its weights map.
     */
    static List<TensorInfo> visitingOrder(List<TensorInfo> tensors) {
        record Key(TensorInfo t, int layer, byte[] name) {
        }
        List<Key> keys = new ArrayList<>(tensors.size());
        for (TensorInfo t : tensors) {
            keys.add(new Key(t, LayerNumber.forOrdering(t.name()), t.name().getBytes(StandardCharsets.UTF_8)));
        }
        keys.sort(Comparator.comparingInt(Key::layer).thenComparing(Key::name, Arrays::compareUnsigned));
        return keys.stream().map(Key::t).toList();
    }

    private static int firstOverride(String name, QuantizeOptions options) {
        List<TensorTypeOverride> overrides = options.tensorTypes();
        for (int i = 0; i < overrides.size(); i++) {
            if (overrides.get(i).matches(name)) {
                return i;
            }
        }
        return -1;
    }
}
