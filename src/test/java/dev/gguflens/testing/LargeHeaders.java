package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Header-only GGUF files of very large models, written sparse: the header is real (a 128k-token
 * vocabulary with its merges, every tensor's info), the data section is a hole, so an 800 GB F16 model
 * takes a few megabytes of disk. For timing {@code simulate} and anything else that reads only headers.
 *
 * <p>From the command line (after {@code mvn test-compile}):
 * {@code java -cp target/classes:target/test-classes dev.gguflens.testing.LargeHeaders dense-400b OUT.gguf}
 */
public final class LargeHeaders {
    /** Llama 3's vocabulary size. */
    static final int VOCABULARY = 128_256;
    /** About as many merges as Llama 3's BPE tokenizer has. */
    static final int MERGES = 280_147;

    /**
     * A llama-architecture shape.
     *
     * @param name      {@code general.name} and the preset's name
     * @param layers    block count
     * @param embedding n_embd
     * @param ff        n_ff of the dense FFN, or of one expert
     * @param heads     attention heads (head size 128)
     * @param kvHeads   KV heads
     * @param experts   experts per layer (0: dense); MoE layers hold 3-D expert tensors and a shared expert
     */
    public record Shape(String name, int layers, long embedding, long ff, long heads, long kvHeads, long experts) {
        /**
         * A dense GQA llama of 411 B parameters in 2,001 tensors: 222 layers of 9 tensors, n_embd 12288,
         * n_ff 40960, 96 heads, 8 KV heads, and a 128,256-token vocabulary with untied output.
         */
        public static final Shape DENSE_400B = new Shape("dense-400b", 222, 12_288, 40_960, 96, 8, 0);
        /**
         * A mixture of experts of 391 B parameters in 627 tensors: 48 layers, n_embd 5120, 128 experts of
         * n_ff 4096 and one shared expert, 40 heads, 8 KV heads, the same vocabulary.
         */
        public static final Shape MOE_400B = new Shape("moe-400b", 48, 5_120, 4_096, 40, 8, 128);

        static Shape named(String name) {
            for (Shape s : List.of(DENSE_400B, MOE_400B)) {
                if (s.name.equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown shape '" + name + "': dense-400b or moe-400b");
        }
    }

    private LargeHeaders() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: LargeHeaders dense-400b|moe-400b OUT.gguf");
            System.exit(2);
        }
        Path out = Path.of(args[1]);
        GgufWriter.Layout layout = write(out, Shape.named(args[0]));
        long params = layout.tensors().stream().mapToLong(t -> t.elements()).sum();
        System.out.printf(Locale.ROOT, "%s: %,d tensors, %,d parameters, header %,d bytes, file %,d bytes (sparse)%n",
                out, layout.tensors().size(), params, layout.dataOffset(), layout.fileSize());
    }

    /** Writes the header of {@code shape} (F16 weights, F32 norms) and extends the file, sparse, to its full size. */
    public static GgufWriter.Layout write(Path out, Shape shape) throws IOException {
        GgufWriter.Layout layout = GgufWriter.layout(metadata(shape), tensors(shape));
        try (RandomAccessFile raf = new RandomAccessFile(out.toFile(), "rw")) {
            raf.setLength(0);
            raf.write(layout.header());
            raf.setLength(layout.fileSize()); // the padding and all tensor data: a hole, read back as zeros
        }
        return layout;
    }

    static List<MetadataEntry> metadata(Shape s) {
        String a = "llama";
        List<MetadataEntry> m = new ArrayList<>();
        m.add(Fixtures.str("general.architecture", a));
        m.add(Fixtures.str("general.name", s.name()));
        m.add(Fixtures.u32(a + ".block_count", s.layers()));
        m.add(Fixtures.u32(a + ".context_length", 131_072));
        m.add(Fixtures.u32(a + ".embedding_length", s.embedding()));
        m.add(Fixtures.u32(a + ".feed_forward_length", s.ff()));
        m.add(Fixtures.u32(a + ".attention.head_count", s.heads()));
        m.add(Fixtures.u32(a + ".attention.head_count_kv", s.kvHeads()));
        m.add(new MetadataEntry(a + ".rope.freq_base", GgufValue.Real.f32(500_000f)));
        m.add(new MetadataEntry(a + ".attention.layer_norm_rms_epsilon", GgufValue.Real.f32(1e-5f)));
        if (s.experts() > 0) {
            m.add(Fixtures.u32(a + ".expert_count", s.experts()));
            m.add(Fixtures.u32(a + ".expert_used_count", 1));
        }
        m.add(Fixtures.u32("general.file_type", 1)); // MOSTLY_F16
        m.add(Fixtures.u32(a + ".vocab_size", VOCABULARY));
        m.add(Fixtures.u32(a + ".rope.dimension_count", 128));
        m.add(Fixtures.str("tokenizer.ggml.model", "gpt2"));
        m.add(Fixtures.str("tokenizer.ggml.pre", "llama-bpe"));
        List<String> tokens = new ArrayList<>(VOCABULARY);
        int[] types = new int[VOCABULARY];
        for (int i = 0; i < VOCABULARY; i++) {
            tokens.add(i < 128_000 ? "tok" + Integer.toString(i, 36) : "<|reserved_special_token_" + (i - 128_000) + "|>");
            types[i] = i < 128_000 ? 1 : 3;
        }
        m.add(new MetadataEntry("tokenizer.ggml.tokens", GgufArray.ofStrings(tokens)));
        m.add(new MetadataEntry("tokenizer.ggml.token_type", GgufArray.ofInt32(types)));
        List<String> merges = new ArrayList<>(MERGES);
        for (int i = 0; i < MERGES; i++) {
            merges.add("m" + Integer.toString(i, 36) + " " + Integer.toString(i * 7919 % MERGES, 36));
        }
        m.add(new MetadataEntry("tokenizer.ggml.merges", GgufArray.ofStrings(merges)));
        m.add(Fixtures.u32("tokenizer.ggml.bos_token_id", 128_000));
        m.add(Fixtures.u32("tokenizer.ggml.eos_token_id", 128_009));
        m.add(Fixtures.str("tokenizer.chat_template", "{% for message in messages %}{{ message['content'] }}{% endfor %}"));
        m.add(Fixtures.u32("general.quantization_version", 2));
        return m;
    }

    /** In the order llama.cpp's converter writes them: token_embd, the layers, output_norm, output. */
    static List<GgufWriter.TensorSpec> tensors(Shape s) {
        long e = s.embedding();
        long kv = e / s.heads() * s.kvHeads();
        List<GgufWriter.TensorSpec> t = new ArrayList<>();
        t.add(Fixtures.tensor("token_embd.weight", GgmlType.F16, e, VOCABULARY));
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            t.add(Fixtures.tensor(b + "attn_norm.weight", GgmlType.F32, e));
            t.add(Fixtures.tensor(b + "attn_q.weight", GgmlType.F16, e, e));
            t.add(Fixtures.tensor(b + "attn_k.weight", GgmlType.F16, e, kv));
            t.add(Fixtures.tensor(b + "attn_v.weight", GgmlType.F16, e, kv));
            t.add(Fixtures.tensor(b + "attn_output.weight", GgmlType.F16, e, e));
            t.add(Fixtures.tensor(b + "ffn_norm.weight", GgmlType.F32, e));
            if (s.experts() == 0) {
                t.add(Fixtures.tensor(b + "ffn_gate.weight", GgmlType.F16, e, s.ff()));
                t.add(Fixtures.tensor(b + "ffn_up.weight", GgmlType.F16, e, s.ff()));
                t.add(Fixtures.tensor(b + "ffn_down.weight", GgmlType.F16, s.ff(), e));
            } else {
                t.add(Fixtures.tensor(b + "ffn_gate_inp.weight", GgmlType.F32, e, s.experts()));
                t.add(Fixtures.tensor(b + "ffn_gate_exps.weight", GgmlType.F16, e, s.ff(), s.experts()));
                t.add(Fixtures.tensor(b + "ffn_up_exps.weight", GgmlType.F16, e, s.ff(), s.experts()));
                t.add(Fixtures.tensor(b + "ffn_down_exps.weight", GgmlType.F16, s.ff(), e, s.experts()));
                t.add(Fixtures.tensor(b + "ffn_gate_shexp.weight", GgmlType.F16, e, s.ff()));
                t.add(Fixtures.tensor(b + "ffn_up_shexp.weight", GgmlType.F16, e, s.ff()));
                t.add(Fixtures.tensor(b + "ffn_down_shexp.weight", GgmlType.F16, s.ff(), e));
            }
        }
        t.add(Fixtures.tensor("output_norm.weight", GgmlType.F32, e));
        t.add(Fixtures.tensor("output.weight", GgmlType.F16, e, VOCABULARY));
        return t;
    }
}
