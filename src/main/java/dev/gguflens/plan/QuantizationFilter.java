package dev.gguflens.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which tensors llama-quantize may convert at all ({@code tensor_allows_quantization},
 * llama-quantize-rules.md §3.2). Every other tensor is copied with its own type.
 */
final class QuantizationFilter {
    /** §3.2 item 6: names containing any of these are never quantized. */
    private static final List<String> EXCLUDED_SUBSTRINGS = List.of(
            "ffn_gate_inp.weight", "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj",
            "ssm_conv1d", "shortconv.conv.weight", "indexer.k_proj.weight", "indexer.q_proj.weight",
            "attn_rel_b.weight", ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos",
            ".patch_embd", ".patch_merger", "a.rvq.codebook", "mm.a.code_embd",
            "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
            "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight",
            "time_mix_a1.weight", "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight",
            "time_mix_decay_w1.weight", "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight");

    /** §3.2 item 7: exact names kept for every architecture tested. */
    private static final List<String> EXCLUDED_NAMES = List.of("position_embd.weight", "token_types.weight");

    private QuantizationFilter() {
    }

    /**
     * Why the tensor keeps its type, or empty when it may be quantized. Tested in the order of §3.2,
     * so the reason given is the first rule that excludes it.
     */
    static Optional<String> keepReason(String name, long[] ne, boolean leaveOutputTensor) {
        if (nDims(ne) < 2) {
            return Optional.of("kept: 1-D");
        }
        // The test is for "weight", not ".weight": llama.cpp compares the last six characters.
        if (!name.endsWith("weight")) {
            return Optional.of("kept: not a weight");
        }
        if (name.contains("_norm.weight")) {
            return Optional.of("kept: norm");
        }
        if (leaveOutputTensor && name.equals(TensorCategory.OUTPUT_WEIGHT)) {
            return Optional.of("kept: --leave-output-tensor");
        }
        for (String s : EXCLUDED_SUBSTRINGS) {
            if (name.contains(s)) {
                return Optional.of("kept: llama-quantize never quantizes " + s);
            }
        }
        if (EXCLUDED_NAMES.contains(name)) {
            return Optional.of("kept: llama-quantize never quantizes " + name);
        }
        return Optional.empty();
    }

    /**
     * {@code ggml_n_dims}: the index of the last dimension greater than 1, plus 1 (at least 1). So
     * {@code [256,1]} is 1-D and {@code [1,256]} is 2-D. It is also how many dimensions the output stores.
     */
    static int nDims(long[] ne) {
        for (int i = ne.length - 1; i >= 1; i--) {
            if (ne[i] > 1) {
                return i + 1;
            }
        }
        return 1;
    }

    /** The dimensions the output file stores: {@code ne} cut to {@link #nDims} (a 0-D tensor becomes {@code [1]}). */
    static long[] storedShape(long[] ne) {
        return ne.length == 0 ? new long[] {1} : Arrays.copyOf(ne, nDims(ne));
    }
}
