package dev.gguflens.plan;

import static dev.gguflens.gguf.GgmlType.IQ2_XXS;
import static dev.gguflens.gguf.GgmlType.IQ3_S;
import static dev.gguflens.gguf.GgmlType.IQ3_XXS;
import static dev.gguflens.gguf.GgmlType.IQ2_S;
import static dev.gguflens.gguf.GgmlType.MXFP4;
import static dev.gguflens.gguf.GgmlType.Q2_K;
import static dev.gguflens.gguf.GgmlType.Q3_K;
import static dev.gguflens.gguf.GgmlType.Q4_1;
import static dev.gguflens.gguf.GgmlType.Q4_K;
import static dev.gguflens.gguf.GgmlType.Q5_1;
import static dev.gguflens.gguf.GgmlType.Q5_K;
import static dev.gguflens.gguf.GgmlType.Q6_K;
import static dev.gguflens.gguf.GgmlType.Q8_0;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ1_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ1_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ2_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ2_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ2_XS;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ2_XXS;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ3_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ3_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ3_XS;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ3_XXS;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ4_NL;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_IQ4_XS;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_MXFP4_MOE;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q2_0;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q2_K;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q2_K_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q3_K_L;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q3_K_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q3_K_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q4_0;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q4_K_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q4_K_S;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q5_0;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_Q5_K_M;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_TQ1_0;
import static dev.gguflens.gguf.LlamaFileType.MOSTLY_TQ2_0;
import static dev.gguflens.plan.TensorCategory.ATTENTION_K;
import static dev.gguflens.plan.TensorCategory.ATTENTION_OUTPUT;
import static dev.gguflens.plan.TensorCategory.FFN_DOWN;
import static dev.gguflens.plan.TensorCategory.FFN_GATE;
import static dev.gguflens.plan.TensorCategory.FFN_UP;
import static dev.gguflens.plan.TensorCategory.OUTPUT;
import static dev.gguflens.plan.TensorCategory.TOKEN_EMBD;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LayerNumber;
import dev.gguflens.gguf.LlamaFileType;
import java.util.OptionalInt;

/**
 * The file-type mixtures: llama.cpp's {@code llama_tensor_get_type_impl}, one method per subsection of
 * llama-quantize-rules.md §5, with the running counters of §3 step 6 and §5.12.
 *
 * <p>One instance serves one run: the counters advance as tensors are visited in order, and only for
 * the tensors that reach these rules (not for manual, pure or non-quantizable ones).
 */
final class MixtureRules {
    private final LlamaFileType ftype;
    private final ModelFacts model;
    private final boolean hasImatrix;
    private final boolean tiedEmbeddings;
    private final GgmlType outputTensorType;
    private final GgmlType tokenEmbeddingType;
    /** n_attention_wv: every V-like tensor in the list, quantizable or not (§3 step 6). */
    private final int nAttentionWv;
    /** n_ffn_down = n_ffn_gate = n_ffn_up = n_layer_all, whatever the number of FFN tensors. */
    private final int nFfn;
    /** The reason for keeping the default type, built once per run (it is the most common one). */
    private final String byDefault;
    private int iAttentionWv;
    private int iFfnDown;
    private int iFfnGate;
    private int iFfnUp;

    MixtureRules(LlamaFileType ftype, ModelFacts model, boolean hasImatrix, boolean tiedEmbeddings, int nAttentionWv,
                 GgmlType outputTensorType, GgmlType tokenEmbeddingType) {
        this.ftype = ftype;
        this.model = model;
        this.hasImatrix = hasImatrix;
        this.tiedEmbeddings = tiedEmbeddings;
        this.nAttentionWv = nAttentionWv;
        this.nFfn = model.layerCount();
        this.outputTensorType = outputTensorType;
        this.tokenEmbeddingType = tokenEmbeddingType;
        this.byDefault = "default type of " + ftype;
    }

    /** The type for {@code v}, starting from the default type {@code t}: the first block whose entry condition holds decides. */
    Choice choose(SourceTensor v, GgmlType t) throws QuantizeRefusal {
        TensorCategory cat = v.category();
        if (cat == OUTPUT || (tiedEmbeddings && cat == TOKEN_EMBD)) {
            return outputOrTiedEmbedding(v, t);
        }
        if (is(MOSTLY_MXFP4_MOE)) {
            return mxfp4Moe(v);
        }
        if (cat == TOKEN_EMBD) {
            return untiedTokenEmbedding(t);
        }
        if (is(MOSTLY_IQ2_XXS, MOSTLY_IQ2_XS, MOSTLY_IQ1_S, MOSTLY_IQ2_S, MOSTLY_IQ2_M, MOSTLY_IQ1_M)) {
            return lowBitIq(v, t);
        }
        if (cat.isValueLike()) {
            return valueLike(v, t);
        }
        return switch (cat) {
            case ATTENTION_K -> attentionK(t);
            case ATTENTION_Q -> attentionQ(t);
            case FFN_DOWN -> ffnDown(v, t);
            case ATTENTION_OUTPUT -> attentionOutput(t);
            case FFN_GATE, FFN_UP -> ffnGateOrUp(v, t);
            default -> new Choice(t, byDefault); // §5.11
        };
    }

    /** §5.1: output.weight, or token_embd when the embeddings are tied. */
    private Choice outputOrTiedEmbedding(SourceTensor v, GgmlType t) {
        String what = v.category() == OUTPUT ? "output" : "tied token_embd (no output.weight)";
        if (outputTensorType != null) {
            // Only a tied token_embd gets here with the option set: output.weight returned in §7 step 3.
            return new Choice(outputTensorType, what + ": --output-tensor-type");
        }
        if (is(MOSTLY_MXFP4_MOE)) {
            return new Choice(Q8_0, what + ": Q8_0 under MXFP4_MOE");
        }
        if (model.isFalcon()) {
            return new Choice(Q8_0, what + ": Q8_0 for falcon");
        }
        if (v.rowLength() % t.blockSize() != 0) {
            return new Choice(Q8_0, what + ": Q8_0, rows of " + v.rowLength() + " do not fit " + t);
        }
        if (is(MOSTLY_IQ2_XXS, MOSTLY_IQ2_XS, MOSTLY_IQ3_XXS, MOSTLY_IQ1_S, MOSTLY_IQ2_S, MOSTLY_IQ2_M, MOSTLY_IQ1_M)) {
            return new Choice(Q5_K, what + ": Q5_K under " + ftype);
        }
        if (!t.equals(Q8_0)) {
            return new Choice(Q6_K, what + ": Q6_K");
        }
        return new Choice(t, what + ": stays Q8_0");
    }

    /** §5.2: MXFP4 for 3-D expert tensors, Q8_0 for everything else. No counters move. */
    private Choice mxfp4Moe(SourceTensor v) {
        if (v.ne2() > 1) {
            boolean bailing = model.architecture().equals("bailingmoe3");
            TensorCategory c = v.category();
            if (!bailing || c == FFN_UP || c == FFN_GATE || c == FFN_DOWN) {
                return new Choice(MXFP4, "MXFP4_MOE: MXFP4 for 3-D expert tensors");
            }
            return new Choice(Q8_0, "MXFP4_MOE: Q8_0 for bailingmoe3's non-FFN 3-D tensors");
        }
        return new Choice(Q8_0, "MXFP4_MOE: Q8_0 for tensors that are not 3-D experts");
    }

    /** §5.3: token_embd when output.weight exists. */
    private Choice untiedTokenEmbedding(GgmlType t) {
        if (tokenEmbeddingType != null) {
            return new Choice(tokenEmbeddingType, "token_embd: --token-embedding-type");
        }
        if (is(MOSTLY_IQ2_XXS, MOSTLY_IQ2_XS, MOSTLY_IQ1_S, MOSTLY_IQ1_M)) {
            return new Choice(Q2_K, "token_embd: Q2_K under " + ftype);
        }
        if (is(MOSTLY_IQ2_S, MOSTLY_IQ2_M, MOSTLY_IQ3_XXS)) {
            return new Choice(IQ3_S, "token_embd: IQ3_S under " + ftype);
        }
        if (is(MOSTLY_TQ1_0, MOSTLY_TQ2_0, MOSTLY_Q2_0)) {
            return new Choice(Q4_K, "token_embd: Q4_K under " + ftype);
        }
        return new Choice(t, "token_embd: " + byDefault);
    }

    /** §5.4: IQ2_XXS, IQ2_XS, IQ1_S, IQ2_S, IQ2_M, IQ1_M. */
    private Choice lowBitIq(SourceTensor v, GgmlType t) {
        boolean iq2sm = is(MOSTLY_IQ2_S, MOSTLY_IQ2_M);
        TensorCategory cat = v.category();
        if (cat.isValueLike()) {
            Choice c;
            if (model.gqa() >= 4 || model.expertCount() >= 4) {
                c = new Choice(Q4_K, "attn_v: Q4_K with GQA >= 4 or 4+ experts");
            } else {
                c = new Choice(iq2sm ? IQ3_S : Q2_K, "attn_v: " + (iq2sm ? IQ3_S : Q2_K) + " under " + ftype);
            }
            iAttentionWv++;
            return c;
        }
        if (model.expertCount() == 8 && cat == ATTENTION_K) {
            return new Choice(Q4_K, "attn_k: Q4_K for 8 experts");
        }
        if (cat == FFN_DOWN) {
            // The raw counter, not layer_info, even for MoE models.
            Choice c = iFfnDown < nFfn / 8
                    ? new Choice(iq2sm ? IQ3_S : Q2_K, "ffn_down: " + (iq2sm ? IQ3_S : Q2_K) + " in the first eighth of the layers")
                    : new Choice(t, "ffn_down: " + byDefault);
            iFfnDown++;
            return c;
        }
        if (cat == ATTENTION_OUTPUT) {
            if (model.expertCount() == 8) {
                return new Choice(Q5_K, "attn_output: Q5_K for 8 experts");
            }
            if (is(MOSTLY_IQ1_S, MOSTLY_IQ1_M)) {
                return new Choice(IQ2_XXS, "attn_output: IQ2_XXS under " + ftype);
            }
            if (iq2sm) {
                return new Choice(IQ3_S, "attn_output: IQ3_S under " + ftype);
            }
        }
        // FFN gate and up counters do not move in this block.
        return new Choice(t, byDefault);
    }

    /** §5.5: attn_v, attn_qkv and attn_kv_b for every other file type. */
    private Choice valueLike(SourceTensor v, GgmlType t) {
        int i = iAttentionWv;
        String what = shortName(v.category());
        long gqa = model.gqa();
        GgmlType type = t;
        String why = byDefault;
        if (is(MOSTLY_Q2_K)) {
            type = gqa >= 4 ? Q4_K : Q3_K;
            why = gqa >= 4 ? "Q4_K with GQA >= 4" : "Q3_K under Q2_K";
        } else if (is(MOSTLY_Q2_K_S) && gqa >= 4) {
            type = Q4_K;
            why = "Q4_K with GQA >= 4";
        } else if (is(MOSTLY_IQ3_XXS)) {
            type = gqa >= 4 ? Q4_K : !hasImatrix ? IQ3_S : IQ3_XXS;
            why = gqa >= 4 ? "Q4_K with GQA >= 4" : !hasImatrix ? "IQ3_S without an imatrix" : "IQ3_XXS with an imatrix";
        } else if (is(MOSTLY_IQ3_XS, MOSTLY_IQ3_S) && gqa >= 4) {
            type = Q4_K;
            why = "Q4_K with GQA >= 4";
        } else if (is(MOSTLY_IQ3_M)) {
            type = Q4_K;
            why = "Q4_K under IQ3_M";
        } else if (is(MOSTLY_Q3_K_M)) {
            type = i < 2 ? Q5_K : Q4_K;
            why = i < 2 ? "Q5_K for the first two" : "Q4_K after the first two";
        } else if (is(MOSTLY_Q3_K_L)) {
            type = Q5_K;
            why = "Q5_K under Q3_K_L";
        } else if (is(MOSTLY_IQ4_NL, MOSTLY_IQ4_XS) && gqa >= 4) {
            type = Q5_K;
            why = "Q5_K with GQA >= 4";
        } else if (is(MOSTLY_Q4_K_M, MOSTLY_Q5_K_M) && useMoreBits(i, nAttentionWv)) {
            type = Q6_K;
            why = ftype + " promotes " + what + " " + i + " of " + nAttentionWv + " to Q6_K (use_more_bits)";
        } else if (is(MOSTLY_Q4_K_S) && i < 4) {
            type = Q5_K;
            why = "Q5_K for the first four";
        }
        if (model.is70B() && (type.equals(Q3_K) || type.equals(Q4_K))) {
            type = Q5_K;
            why = "Q5_K for a 70B model";
        }
        if (model.expertCount() == 8) {
            type = Q8_0;
            why = "Q8_0 for 8 experts";
        }
        iAttentionWv++;
        return new Choice(type, what + ": " + why);
    }

    /** §5.6. */
    private Choice attentionK(GgmlType t) {
        if (model.expertCount() == 8) {
            return new Choice(Q8_0, "attn_k: Q8_0 for 8 experts");
        }
        if (is(MOSTLY_IQ3_XS)) {
            return new Choice(IQ3_XXS, "attn_k: IQ3_XXS under IQ3_XS");
        }
        if (is(MOSTLY_IQ3_XXS)) {
            return new Choice(IQ2_S, "attn_k: IQ2_S under IQ3_XXS");
        }
        return new Choice(t, byDefault);
    }

    /** §5.7. */
    private Choice attentionQ(GgmlType t) {
        if (is(MOSTLY_IQ3_XS)) {
            return new Choice(IQ3_XXS, "attn_q: IQ3_XXS under IQ3_XS");
        }
        if (is(MOSTLY_IQ3_XXS)) {
            return new Choice(IQ2_S, "attn_q: IQ2_S under IQ3_XXS");
        }
        return new Choice(t, byDefault);
    }

    /** §5.8: the first matching file-type row decides, even when its inner condition keeps the default. */
    private Choice ffnDown(SourceTensor v, GgmlType t) throws QuantizeRefusal {
        int[] layer = layerInfo(iFfnDown, v.name());
        int i = layer[0];
        int n = layer[1];
        boolean falcon = model.isFalcon();
        String at = " (layer " + i + " of " + n + ")";
        Choice c = new Choice(t, "ffn_down: " + byDefault);
        if (is(MOSTLY_Q2_K)) {
            c = new Choice(Q3_K, "ffn_down: Q3_K under Q2_K");
        } else if (is(MOSTLY_Q2_K_S)) {
            if (i < n / 8) {
                c = new Choice(Q4_K, "ffn_down: Q4_K in the first eighth" + at);
            }
        } else if (is(MOSTLY_IQ3_XXS) && !hasImatrix) {
            c = i < n / 8 ? new Choice(Q4_K, "ffn_down: Q4_K in the first eighth, no imatrix" + at)
                    : new Choice(Q3_K, "ffn_down: Q3_K without an imatrix");
        } else if (is(MOSTLY_Q3_K_M)) {
            if (i < n / 16) {
                c = new Choice(Q5_K, "ffn_down: Q5_K in the first sixteenth" + at);
            } else if (!falcon || useMoreBits(i, n)) {
                c = new Choice(Q4_K, "ffn_down: Q4_K under Q3_K_M" + at);
            } else {
                c = new Choice(Q3_K, "ffn_down: Q3_K for falcon" + at);
            }
        } else if (is(MOSTLY_IQ3_M) && (i < n / 8 || (model.expertCount() == 8 && useMoreBits(i, n)))) {
            c = new Choice(Q4_K, "ffn_down: Q4_K under IQ3_M" + at);
        } else if (is(MOSTLY_Q3_K_L)) {
            c = new Choice(falcon ? Q4_K : Q5_K, "ffn_down: " + (falcon ? "Q4_K for falcon" : "Q5_K") + " under Q3_K_L");
        } else if (is(MOSTLY_Q4_K_M)) {
            if (falcon) {
                c = i < n / 16 ? new Choice(Q6_K, "ffn_down: Q6_K in the first sixteenth (falcon)" + at)
                        : useMoreBits(i, n) ? new Choice(Q5_K, "ffn_down: Q5_K, use_more_bits (falcon)" + at)
                        : new Choice(Q4_K, "ffn_down: Q4_K (falcon)" + at);
            } else if (useMoreBits(i, n)) {
                c = new Choice(Q6_K, "ffn_down: Q4_K_M promotes this layer to Q6_K (use_more_bits)" + at);
            }
        } else if (i < n / 8 && is(MOSTLY_IQ4_NL, MOSTLY_IQ4_XS) && !hasImatrix) {
            c = new Choice(Q5_K, "ffn_down: Q5_K in the first eighth, no imatrix" + at);
        } else if (is(MOSTLY_Q5_K_M) && useMoreBits(i, n)) {
            c = new Choice(Q6_K, "ffn_down: Q5_K_M promotes this layer to Q6_K (use_more_bits)" + at);
        } else if (is(MOSTLY_Q4_K_S) && !falcon && i < n / 8) {
            c = new Choice(Q5_K, "ffn_down: Q5_K in the first eighth" + at);
        } else if (is(MOSTLY_Q4_0, MOSTLY_Q5_0) && hasImatrix && i < n / 8) {
            GgmlType up = is(MOSTLY_Q4_0) ? Q4_1 : Q5_1;
            c = new Choice(up, "ffn_down: " + up + " in the first eighth, with an imatrix" + at);
        }
        iFfnDown++;
        return c;
    }

    /** §5.9. */
    private Choice attentionOutput(GgmlType t) {
        if (!model.isFalcon()) {
            if (model.expertCount() == 8) {
                if (is(MOSTLY_Q2_K, MOSTLY_IQ3_XS, MOSTLY_IQ3_XXS, MOSTLY_Q3_K_S, MOSTLY_Q3_K_M, MOSTLY_IQ4_NL,
                        MOSTLY_Q4_K_S, MOSTLY_Q4_K_M, MOSTLY_IQ3_S, MOSTLY_IQ3_M, MOSTLY_IQ4_XS)) {
                    return new Choice(Q5_K, "attn_output: Q5_K for 8 experts");
                }
            } else if (is(MOSTLY_Q2_K)) {
                return new Choice(Q3_K, "attn_output: Q3_K under Q2_K");
            } else if (is(MOSTLY_IQ3_XXS)) {
                return new Choice(IQ3_S, "attn_output: IQ3_S under IQ3_XXS");
            } else if (is(MOSTLY_Q3_K_M)) {
                return new Choice(Q4_K, "attn_output: Q4_K under Q3_K_M");
            } else if (is(MOSTLY_Q3_K_L)) {
                return new Choice(Q5_K, "attn_output: Q5_K under Q3_K_L");
            } else if (is(MOSTLY_IQ3_M)) {
                return new Choice(Q4_K, "attn_output: Q4_K under IQ3_M");
            }
        } else if (is(MOSTLY_Q3_K_L)) {
            return new Choice(Q4_K, "attn_output: Q4_K under Q3_K_L (falcon)");
        }
        return new Choice(t, byDefault);
    }

    /** §5.10: IQ3_XS uses IQ3_XXS in the middle three quarters of the layers. */
    private Choice ffnGateOrUp(SourceTensor v, GgmlType t) throws QuantizeRefusal {
        boolean gate = v.category() == FFN_GATE;
        int[] layer = layerInfo(gate ? iFfnGate : iFfnUp, v.name());
        int i = layer[0];
        int n = layer[1];
        Choice c = is(MOSTLY_IQ3_XS) && i >= n / 8 && i < 7 * n / 8
                ? new Choice(IQ3_XXS, (gate ? "ffn_gate" : "ffn_up") + ": IQ3_XXS in the middle layers (layer " + i + " of " + n + ")")
                : new Choice(t, byDefault);
        if (gate) {
            iFfnGate++;
        } else {
            iFfnUp++;
        }
        return c;
    }

    /** §4.1 use_more_bits: the first and last eighth of the layers, and every third layer in between. */
    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /**
     * §4.1 layer_info: with more than one expert the layer comes from the name (experts are not
     * consecutive), otherwise it is the counter. Returns {layer, n_layer_all}.
     */
    private int[] layerInfo(int counter, String name) throws QuantizeRefusal {
        if (Math.max(1, model.expertCount()) > 1) {
            OptionalInt parsed = LayerNumber.parse(name);
            if (parsed.isEmpty()) {
                throw new QuantizeRefusal("Failed to determine layer for tensor " + name);
            }
            int layer = parsed.getAsInt();
            if (layer < 0 || layer >= nFfn) {
                throw new QuantizeRefusal("Bad layer " + layer + " for tensor " + name + ". Must be in [0, " + nFfn + ")");
            }
            return new int[] {layer, nFfn};
        }
        return new int[] {counter, nFfn};
    }

    private boolean is(LlamaFileType... any) {
        for (LlamaFileType f : any) {
            if (ftype.id() == f.id()) {
                return true;
            }
        }
        return false;
    }

    private static String shortName(TensorCategory c) {
        return switch (c) {
            case ATTENTION_QKV -> "attn_qkv";
            case ATTENTION_KV_B -> "attn_kv_b";
            default -> "attn_v";
        };
    }
}
