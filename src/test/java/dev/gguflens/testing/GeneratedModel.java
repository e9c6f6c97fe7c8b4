package dev.gguflens.testing;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.MetadataEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A llama-architecture model with real, generated weights (not a sparse file), written by streaming so
 * a file of gigabytes needs no more heap than a small one. Values come from a fixed-seed generator per
 * tensor (roughly Gaussian, sd 0.02; norms near 1), so a file is the same on every run. A hook can plant
 * chosen values (NaN, infinities, huge numbers) at chosen places.
 *
 * @param embd   n_embd
 * @param ff     n_ff
 * @param vocab  vocabulary size
 * @param layers block count
 * @param type   the weights' type (F32, F16 or BF16); norms are always F32
 * @param plant  values to put in place of the generated ones, or null
 */
public record GeneratedModel(int embd, int ff, int vocab, int layers, GgmlType type, Plant plant) {

    /** Replaces generated values: the value element {@code i} of {@code tensor} gets (return {@code generated} to keep it). */
    @FunctionalInterface
    public interface Plant {
        /** The value to write instead of {@code generated}. */
        float value(String tensor, long i, float generated);
    }

    public static GeneratedModel of(int embd, int ff, int vocab, int layers, GgmlType type) {
        return new GeneratedModel(embd, ff, vocab, layers, type, null);
    }

    public GeneratedModel withPlant(Plant p) {
        return new GeneratedModel(embd, ff, vocab, layers, type, p);
    }

    /** Parameters (elements of all tensors). */
    public long parameters() {
        long n = 0;
        for (GgufWriter.TensorSpec t : tensors()) {
            long e = 1;
            for (long d : t.ne()) {
                e *= d;
            }
            n += e;
        }
        return n;
    }

    public List<MetadataEntry> metadata() {
        int fileType = type.equals(GgmlType.F32) ? 0 : type.equals(GgmlType.F16) ? 1 : 32;
        int heads = Math.max(1, embd / 64);
        return List.of(
                new MetadataEntry("general.architecture", GgufValue.Str.of("llama")),
                new MetadataEntry("general.name", GgufValue.Str.of("generated")),
                new MetadataEntry("llama.context_length", GgufValue.Int.u32(2048)),
                new MetadataEntry("llama.embedding_length", GgufValue.Int.u32(embd)),
                new MetadataEntry("llama.block_count", GgufValue.Int.u32(layers)),
                new MetadataEntry("llama.feed_forward_length", GgufValue.Int.u32(ff)),
                new MetadataEntry("llama.attention.head_count", GgufValue.Int.u32(heads)),
                new MetadataEntry("llama.attention.head_count_kv", GgufValue.Int.u32(heads)),
                new MetadataEntry("general.file_type", GgufValue.Int.u32(fileType)));
    }

    /** Tensors in the order ggml's converters write them: embeddings, output, then each layer. */
    public List<GgufWriter.TensorSpec> tensors() {
        List<GgufWriter.TensorSpec> t = new ArrayList<>();
        t.add(new GgufWriter.TensorSpec("token_embd.weight", new long[] {embd, vocab}, type));
        t.add(new GgufWriter.TensorSpec("output_norm.weight", new long[] {embd}, GgmlType.F32));
        t.add(new GgufWriter.TensorSpec("output.weight", new long[] {embd, vocab}, type));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            t.add(new GgufWriter.TensorSpec(p + "attn_norm.weight", new long[] {embd}, GgmlType.F32));
            t.add(new GgufWriter.TensorSpec(p + "attn_q.weight", new long[] {embd, embd}, type));
            t.add(new GgufWriter.TensorSpec(p + "attn_k.weight", new long[] {embd, embd}, type));
            t.add(new GgufWriter.TensorSpec(p + "attn_v.weight", new long[] {embd, embd}, type));
            t.add(new GgufWriter.TensorSpec(p + "attn_output.weight", new long[] {embd, embd}, type));
            t.add(new GgufWriter.TensorSpec(p + "ffn_norm.weight", new long[] {embd}, GgmlType.F32));
            t.add(new GgufWriter.TensorSpec(p + "ffn_gate.weight", new long[] {embd, ff}, type));
            t.add(new GgufWriter.TensorSpec(p + "ffn_up.weight", new long[] {embd, ff}, type));
            t.add(new GgufWriter.TensorSpec(p + "ffn_down.weight", new long[] {ff, embd}, type));
        }
        return t;
    }

    /** Writes the model to {@code path}, streaming 1 MiB at a time. */
    public Path write(Path path) throws IOException {
        return write(path, ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes the model in a byte order: big-endian as gguf-py writes such files (header and data swapped). */
    public Path write(Path path, ByteOrder order) throws IOException {
        GgufWriter.Layout layout = GgufWriter.layout(metadata(), tensors(), 32, order);
        ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(order);
        GgufWriter.write(path, layout, (t, out) -> {
            boolean norm = t.name().endsWith("_norm.weight");
            long seed = t.name().hashCode() * 0x9E3779B97F4A7C15L + 12345;
            int size = t.type().typeSize();
            long n = t.elements();
            for (long i = 0; i < n; i++) {
                seed = seed * 6364136223846793005L + 1442695040888963407L;
                // Sum of four uniforms: near Gaussian, sd about 0.02 (norms: 1 +- 0.02); every 2000th value an outlier.
                long s = seed;
                double u = ((s >>> 48) + ((s >>> 32) & 0xFFFF) + ((s >>> 16) & 0xFFFF) + (s & 0xFFFF)) / 65536.0 - 2.0;
                float v = (float) (u * 0.0346);
                if (!norm && (s >>> 20) % 2000 == 0) {
                    v *= 12;
                }
                if (norm) {
                    v += 1;
                }
                if (plant != null) {
                    v = plant.value(t.name(), i, v);
                }
                if (buf.remaining() < size) {
                    flush(buf, out);
                }
                if (t.type().equals(GgmlType.F32)) {
                    buf.putFloat(v);
                } else if (t.type().equals(GgmlType.F16)) {
                    buf.putShort(Float.floatToFloat16(v));
                } else {
                    buf.putShort((short) (Float.floatToRawIntBits(v) + 0x7FFF + ((Float.floatToRawIntBits(v) >>> 16) & 1) >>> 16));
                }
            }
            flush(buf, out);
        });
        return path;
    }

    private static void flush(ByteBuffer buf, java.nio.channels.WritableByteChannel out) throws IOException {
        buf.flip();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        buf.clear();
    }
}
