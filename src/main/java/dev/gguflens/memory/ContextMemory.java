package dev.gguflens.memory;

import java.util.ArrayList;
import java.util.List;

/**
 * What a llama.cpp context costs in memory besides the weights, on the CPU backend: its KV cache and
 * recurrent state (exact), the output buffer (exact) and the compute buffer (an estimate, or a lower bound),
 * or llama.cpp's reason for refusing the context.
 *
 * <p>The output buffer is allocated when the context is created ({@code llama_context::output_reserve(n_seq_max)}):
 * the logits of one output per sequence, {@code n_vocab x n_seq_max x 4} bytes (embeddings off). It grows later
 * only for batches that ask for more outputs than that (perplexity runs, not chat).
 *
 * @param context   the context as llama.cpp sets it up, or null when refused
 * @param kv        the KV cache, or null when refused (zero bytes for models without one)
 * @param recurrent the recurrent state, or null when refused (zero bytes for models without one)
 * @param output    the output buffer's bytes (0 when refused)
 * @param compute   the compute buffer, or null when refused
 * @param refusal   llama.cpp's reason for refusing the context, or null
 * @param notes     what the figures rest on where they are not llama.cpp's exact arithmetic, one line each
 */
public record ContextMemory(ResolvedContext context, KvCache kv, RecurrentState recurrent, long output, ComputeBuffer compute,
                            String refusal, List<String> notes) {

    public ContextMemory {
        notes = List.copyOf(notes);
    }

    public boolean refused() {
        return refusal != null;
    }

    /** KV cache and recurrent state together: llama.cpp's "context" memory ({@code llama_get_memory_breakdown}). */
    public long cacheBytes() {
        return refused() ? 0 : kv.bytes() + recurrent.bytes();
    }

    /** Everything besides the weights: cache, output and compute buffers (0 when refused). */
    public long bytes() {
        return refused() ? 0 : cacheBytes() + output + compute.bytes();
    }

    /** The memory of a context with {@code options} for the model {@code dims} describes. */
    public static ContextMemory of(ModelDims dims, ContextOptions options) {
        ResolvedContext c;
        KvCache kv;
        try {
            c = ResolvedContext.resolve(dims, options);
            kv = KvCache.of(dims, c);
        } catch (ContextRefusal r) {
            return new ContextMemory(null, null, null, 0, null, r.getMessage(), notes(dims, null));
        }
        RecurrentState rs = RecurrentState.of(dims, c);
        long output = Math.multiplyExact(dims.vocab() * c.sequences(), 4L);
        ComputeBuffer compute = ComputeBuffer.of(dims, c, kv);
        return new ContextMemory(c, kv, rs, output, compute, null, notes(dims, compute));
    }

    private static List<String> notes(ModelDims dims, ComputeBuffer compute) {
        List<String> out = new ArrayList<>();
        if (dims.unmodelled() != null) {
            out.add("unverified: " + dims.unmodelled());
        }
        if (dims.recurrent() != null && dims.recurrentLayerCount() > 0 && !dims.architecture().equals("mamba")) {
            out.add("unverified: the recurrent state follows llama-memory-recurrent.cpp but was not measured for "
                    + dims.architecture() + " (it was for mamba)");
        }
        if (dims.memory() == ModelDims.Memory.NONE) {
            out.add("llama.cpp creates no KV cache for " + dims.architecture());
        }
        if (compute != null && compute.lowerBound()) {
            out.add("compute buffer: a lower bound (inp_embd, final norm and logits); the " + dims.architecture()
                    + " graph is not modelled");
        }
        return out;
    }
}
