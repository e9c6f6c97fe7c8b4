package dev.gguflens.plan;

/**
 * The broad role of a tensor, as llama-quantize classifies it by name before choosing types
 * (llama-quantize-rules.md §4). The first matching substring wins, so the order of the tests matters.
 */
public enum TensorCategory {
    OUTPUT, TOKEN_EMBD, ATTENTION_QKV, ATTENTION_KV_B, ATTENTION_V, ATTENTION_K, ATTENTION_Q, ATTENTION_OUTPUT,
    FFN_UP, FFN_GATE, FFN_DOWN, OTHER;

    static final String OUTPUT_WEIGHT = "output.weight";
    static final String TOKEN_EMBD_WEIGHT = "token_embd.weight";
    static final String PER_LAYER_TOKEN_EMBD_WEIGHT = "per_layer_token_embd.weight";

    /** The category of a tensor name (§4 table, rows 1 to 12 in order). */
    public static TensorCategory of(String name) {
        if (name.equals(OUTPUT_WEIGHT)) {
            return OUTPUT;
        }
        if (isTokenEmbedding(name)) {
            return TOKEN_EMBD;
        }
        if (name.contains("attn_qkv.weight")) {
            return ATTENTION_QKV;
        }
        if (name.contains("attn_kv_b.weight")) {
            return ATTENTION_KV_B;
        }
        if (name.contains("attn_v.weight")) {
            return ATTENTION_V;
        }
        if (name.contains("attn_k.weight")) {
            return ATTENTION_K;
        }
        if (name.contains("attn_q.weight")) {
            return ATTENTION_Q;
        }
        if (name.contains("attn_output.weight")) {
            return ATTENTION_OUTPUT;
        }
        // ffn_up_exps, ffn_up_shexp, ... land here too; ffn_gate_inp never gets this far (§3.2 excludes it).
        if (name.contains("ffn_up")) {
            return FFN_UP;
        }
        if (name.contains("ffn_gate")) {
            return FFN_GATE;
        }
        if (name.contains("ffn_down")) {
            return FFN_DOWN;
        }
        return OTHER;
    }

    /** The two names llama.cpp treats as token embeddings ({@code tensor_name_match_token_embd}). */
    static boolean isTokenEmbedding(String name) {
        return name.equals(TOKEN_EMBD_WEIGHT) || name.equals(PER_LAYER_TOKEN_EMBD_WEIGHT);
    }

    /** "V-like": the tensors that share attn_v's rules and counter (§4, §5.12). */
    public boolean isValueLike() {
        return this == ATTENTION_V || this == ATTENTION_QKV || this == ATTENTION_KV_B;
    }
}
