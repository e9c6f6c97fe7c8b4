package dev.gguflens.gguf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The facts a user wants first about a model file, as llama.cpp's loader would report them:
 * what the model is, how big, how it is quantized, and its shape.
 *
 * <p>Every fact read from metadata is null when its key is absent. A key whose value has a type that
 * cannot carry the fact (a STRING block count, an array where a number belongs) is treated as absent
 * and described in {@link #problems()}, so a strange file still lists.
 *
 * @param architecture       {@code general.architecture}
 * @param name               {@code general.name}
 * @param tensorCount        number of tensors
 * @param parameters         sum of the element counts of all tensors (llama.cpp's {@code n_elements});
 *                           null only if the sum overflows 64 bits
 * @param tensorBytes        sum of {@code ggml_nbytes} of the tensors whose size is known
 * @param unknownSizeTensors tensors whose type has no known size, left out of {@code tensorBytes}
 * @param bitsPerWeight      tensorBytes x 8 / parameters, over the tensors of known size; null without any
 * @param fileType           {@code general.file_type}, or llama.cpp's guess when it is absent
 * @param contextLength      {@code {arch}.context_length}
 * @param layers             {@code {arch}.block_count}
 * @param headCount          {@code {arch}.attention.head_count}, one value or one per layer
 * @param headCountKv        {@code {arch}.attention.head_count_kv}, one value or one per layer
 * @param experts            {@code {arch}.expert_count}
 * @param expertsUsed        {@code {arch}.expert_used_count}
 * @param vocabularySize     {@code {arch}.vocab_size}, else the number of {@code tokenizer.ggml.tokens}
 * @param types              one row per tensor type, most bytes first
 * @param problems           keys that could not be used, one line each
 */
public record ModelSummary(String architecture, String name, int tensorCount, Long parameters, long tensorBytes,
                           int unknownSizeTensors, Double bitsPerWeight, FileTypeFact fileType, Long contextLength,
                           Long layers, PerLayer headCount, PerLayer headCountKv, Long experts, Long expertsUsed,
                           Long vocabularySize, List<TypeRow> types, List<String> problems) {

    public ModelSummary {
        types = List.copyOf(types);
        problems = List.copyOf(problems);
    }

    /**
     * The file type and where it came from.
     *
     * @param type    the file type, or null when {@code general.file_type} holds an id llama.cpp does not define
     * @param id      the {@code llama_ftype} id (without llama.cpp's "guessed" flag)
     * @param guessed true when {@code general.file_type} is absent and the type was guessed from the tensors
     */
    public record FileTypeFact(LlamaFileType type, long id, boolean guessed) {
    }

    /**
     * A hyperparameter that is either one value for all layers or an array with one value per layer.
     *
     * @param values   the value, or the per-layer values
     * @param perLayer whether the key is an array
     */
    public record PerLayer(long[] values, boolean perLayer) {
        public long min() {
            return Arrays.stream(values).min().orElse(0);
        }

        public long max() {
            return Arrays.stream(values).max().orElse(0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PerLayer p && p.perLayer == perLayer && Arrays.equals(p.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values) * 31 + Boolean.hashCode(perLayer);
        }

        @Override
        public String toString() {
            return perLayer ? Arrays.toString(values) : Long.toString(values[0]);
        }
    }

    /**
     * The tensors of one type.
     *
     * @param type       the ggml type
     * @param tensors    how many tensors have it
     * @param parameters their element count
     * @param bytes      their data bytes, or null when the type's size is unknown
     * @param share      their share of {@link #tensorBytes()}, 0..1, or null when unknown or there are no bytes
     */
    public record TypeRow(GgmlType type, int tensors, long parameters, Long bytes, Double share) {
    }

    /** Summarizes {@code file}; never fails: unusable keys become {@link #problems()}. */
    public static ModelSummary of(GgufFile file) {
        Facts facts = new Facts(file);
        String architecture = facts.string("general.architecture");
        String name = facts.string("general.name");

        long parameters = 0;
        boolean parametersOverflow = false;
        long knownParameters = 0;
        long tensorBytes = 0;
        int unknownSize = 0;
        Map<GgmlType, long[]> byType = new LinkedHashMap<>(); // type -> {tensors, parameters, bytes}
        for (TensorInfo t : file.tensors()) {
            long elements = t.elements();
            try {
                parameters = Math.addExact(parameters, elements);
            } catch (ArithmeticException e) {
                parametersOverflow = true;
            }
            long[] row = byType.computeIfAbsent(t.type(), k -> new long[3]);
            row[0]++;
            row[1] = saturatedAdd(row[1], elements);
            if (t.bytes() < 0) {
                unknownSize++;
            } else {
                // Known sizes lie inside the file (the reader checked), so these sums cannot overflow.
                tensorBytes += t.bytes();
                knownParameters = saturatedAdd(knownParameters, elements);
                row[2] += t.bytes();
            }
        }
        if (parametersOverflow) {
            facts.problems.add("the tensors' element counts add up to more than 2^63: parameter count not shown");
        }
        Double bitsPerWeight = knownParameters > 0 ? tensorBytes * 8.0 / knownParameters : null;

        List<TypeRow> types = new ArrayList<>();
        for (Map.Entry<GgmlType, long[]> e : byType.entrySet()) {
            long[] r = e.getValue();
            boolean known = e.getKey().hasKnownSize();
            types.add(new TypeRow(e.getKey(), (int) r[0], r[1], known ? r[2] : null,
                    known && tensorBytes > 0 ? (double) r[2] / tensorBytes : null));
        }
        types.sort(Comparator.comparing((TypeRow r) -> r.bytes() == null ? -1 : r.bytes()).reversed()
                .thenComparingInt(r -> r.type().id()));

        FileTypeFact fileType = facts.fileType();
        String a = architecture;
        Long context = a == null ? null : facts.integer(a + ".context_length");
        Long layers = a == null ? null : facts.integer(a + ".block_count");
        PerLayer heads = a == null ? null : facts.perLayer(a + ".attention.head_count", layers);
        PerLayer headsKv = a == null ? null : facts.perLayer(a + ".attention.head_count_kv", layers);
        Long experts = a == null ? null : facts.integer(a + ".expert_count");
        Long expertsUsed = a == null ? null : facts.integer(a + ".expert_used_count");
        Long vocabulary = a == null ? null : facts.integer(a + ".vocab_size");
        if (vocabulary == null) {
            vocabulary = facts.arrayCount("tokenizer.ggml.tokens");
        }
        return new ModelSummary(architecture, name, file.tensors().size(), parametersOverflow ? null : parameters,
                tensorBytes, unknownSize, bitsPerWeight, fileType, context, layers, heads, headsKv, experts, expertsUsed,
                vocabulary, types, facts.problems);
    }

    private static long saturatedAdd(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s; // both operands are non-negative
    }

    /** Reads keys for the summary, turning values of an unusable type into problems instead of failures. */
    private static final class Facts {
        private final GgufFile file;
        private final List<String> problems = new ArrayList<>();

        Facts(GgufFile file) {
            this.file = file;
        }

        String string(String key) {
            GgufValue v = file.value(key).orElse(null);
            if (v == null) {
                return null;
            }
            if (v instanceof GgufValue.Str s) {
                return s.text();
            }
            ignored(key, v, "a STRING");
            return null;
        }

        Long integer(String key) {
            GgufValue v = file.value(key).orElse(null);
            if (v == null) {
                return null;
            }
            if (v instanceof GgufValue.Int i && !i.exceedsLong()) {
                return i.bits();
            }
            ignored(key, v, "an integer");
            return null;
        }

        /** A key llama.cpp reads as "one value, or an array of one value per layer". */
        PerLayer perLayer(String key, Long layers) {
            GgufValue v = file.value(key).orElse(null);
            if (v == null) {
                return null;
            }
            if (v instanceof GgufArray arr) {
                if (!arr.elementType().isInteger() || arr.count() == 0 || arr.count() > 1 << 16) {
                    ignored(key, v, "an integer or an array of integers, one per layer");
                    return null;
                }
                if (layers != null && arr.count() != layers) {
                    problems.add("key '" + key + "' has " + arr.count() + " values but the model has " + layers
                            + " layers: llama.cpp would refuse it");
                }
                return new PerLayer(arr.toLongs(), true);
            }
            Long one = integer(key);
            return one == null ? null : new PerLayer(new long[] {one}, false);
        }

        Long arrayCount(String key) {
            GgufValue v = file.value(key).orElse(null);
            if (v == null) {
                return null;
            }
            if (v instanceof GgufArray arr) {
                return arr.count();
            }
            ignored(key, v, "an ARRAY");
            return null;
        }

        /** {@code general.file_type} when it is a usable integer, else llama.cpp's guess. */
        FileTypeFact fileType() {
            Long id = integer("general.file_type");
            if (id == null || id < 0 || id > 0xFFFF_FFFFL) {
                if (id != null) {
                    problems.add("key 'general.file_type' is " + id + ", not a file type id: file type guessed instead");
                }
                LlamaFileType guess = FileTypeGuess.guess(file.tensors());
                return new FileTypeFact(guess, guess.id(), true);
            }
            // A stored id may carry llama.cpp's "guessed" flag if a tool wrote back what the loader reported.
            boolean flagged = (id & LlamaFileType.GUESSED) != 0;
            return new FileTypeFact(LlamaFileType.byId(id).orElse(null), id & ~(long) LlamaFileType.GUESSED, flagged);
        }

        private void ignored(String key, GgufValue v, String expected) {
            String actual = v instanceof GgufArray a ? "an ARRAY of " + a.elementType() : "a " + v.type();
            problems.add("key '" + key + "' is " + actual + ", not " + expected + ": ignored in the summary");
        }
    }
}
