package dev.gguflens.sim;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a tensor does in the model, for the per-role error summary: told from its name as llama.cpp
 * names tensors. Only weight matrices with exactly these names get a role (mixture-of-experts and
 * shared-expert variants of the FFN included); norms, biases, fused QKV and the rest are {@link #OTHER}.
 */
public enum TensorRole {
    ATTN_Q("attn_q"),
    ATTN_K("attn_k"),
    ATTN_V("attn_v"),
    ATTN_OUTPUT("attn_output"),
    FFN_UP("ffn_up"),
    FFN_GATE("ffn_gate"),
    FFN_DOWN("ffn_down"),
    TOKEN_EMBEDDING("token_embd"),
    OUTPUT("output"),
    OTHER("other");

    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d{1,9})\\.([^.]+)\\.weight$");

    private final String label;

    TensorRole(String label) {
        this.label = label;
    }

    /** The short name used in reports ({@code attn_q}, {@code ffn_down}, {@code token_embd}). */
    public String label() {
        return label;
    }

    /** The role of a tensor named {@code name}. */
    public static TensorRole of(String name) {
        if (name.equals("token_embd.weight")) {
            return TOKEN_EMBEDDING;
        }
        if (name.equals("output.weight")) {
            return OUTPUT;
        }
        Matcher m = LAYER.matcher(name);
        if (!m.matches()) {
            return OTHER;
        }
        return switch (m.group(2)) {
            case "attn_q" -> ATTN_Q;
            case "attn_k" -> ATTN_K;
            case "attn_v" -> ATTN_V;
            case "attn_output" -> ATTN_OUTPUT;
            case "ffn_up", "ffn_up_exps", "ffn_up_shexp" -> FFN_UP;
            case "ffn_gate", "ffn_gate_exps", "ffn_gate_shexp" -> FFN_GATE;
            case "ffn_down", "ffn_down_exps", "ffn_down_shexp" -> FFN_DOWN;
            default -> OTHER;
        };
    }

    /** The layer number of a {@code blk.N.} tensor, or -1 for tensors outside the layers. */
    public static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        if (end <= 4 || end - 4 > 9) {
            return -1;
        }
        for (int i = 4; i < end; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(name, 4, end, 10);
    }
}
