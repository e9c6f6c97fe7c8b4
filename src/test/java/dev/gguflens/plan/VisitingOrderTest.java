package dev.gguflens.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.LayerNumber;
import dev.gguflens.gguf.TensorInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The order llama-quantize visits and writes tensors in, the layer numbers it reads, and which tensors it may quantize. */
class VisitingOrderTest {

    @Test
    void layerNumbersAreReadAsSscanfReadsThem() {
        assertEquals(OptionalInt.of(12), LayerNumber.parse("blk.12.attn_q.weight"));
        assertEquals(OptionalInt.of(7), LayerNumber.parse("blk. 7.x"));       // %d skips white space
        assertEquals(OptionalInt.of(3), LayerNumber.parse("blk.+3.x"));       // and takes a sign
        assertEquals(OptionalInt.of(-1), LayerNumber.parse("blk.-1.x"));
        assertEquals(OptionalInt.of(5), LayerNumber.parse("blk.5"));          // the trailing '.' is never checked
        assertEquals(OptionalInt.of(5), LayerNumber.parse("blk.5x.weight"));
        assertEquals(OptionalInt.empty(), LayerNumber.parse("blk.x.weight"));
        assertEquals(OptionalInt.empty(), LayerNumber.parse("v.blk.0.attn_q.weight"));
        assertEquals(OptionalInt.empty(), LayerNumber.parse("output.weight"));
    }

    private static TensorInfo t(String name) {
        return new TensorInfo(0, name, new long[] {256, 256}, GgmlType.F16, 0, 131072, -1);
    }

    @Test
    void tensorsAreVisitedByLayerThenByNameInByteOrder() {
        List<TensorInfo> in = List.of(t("blk.10.attn_q.weight"), t("blk.2.ffn_up.weight"), t("token_embd.weight"),
                t("blk.2.attn_v.weight"), t("output.weight"), t("Zeta.weight"), t("blk.2.attn_k.weight"), t("v.blk.0.x.weight"));
        List<String> expected = List.of("Zeta.weight", "output.weight", "token_embd.weight", "v.blk.0.x.weight",
                "blk.2.attn_k.weight", "blk.2.attn_v.weight", "blk.2.ffn_up.weight", "blk.10.attn_q.weight");
        assertEquals(expected, PreparedModel.visitingOrder(in).stream().map(TensorInfo::name).toList());
    }

    @Test
    void quantizableTensorsAreTheTwoDimensionalWeightsNotExcluded() {
        assertEquals(Optional.of("kept: 1-D"), keep("blk.0.attn_norm.weight", 256));
        assertEquals(Optional.of("kept: 1-D"), keep("x.weight", 256, 1));          // trailing 1s do not count
        assertEquals(Optional.empty(), keep("x.weight", 1, 256));                 // [1, 256] is 2-D
        assertEquals(Optional.empty(), keep("blk.0.ffn_down_exps.weight", 512, 256, 8));
        assertEquals(Optional.of("kept: not a weight"), keep("blk.0.attn_q.bias", 256, 2));
        assertEquals(Optional.empty(), keep("blk.0.ssm_xweight", 256, 2));         // "weight", not ".weight"
        assertEquals(Optional.of("kept: norm"), keep("blk.0.attn_q_norm.weight", 128, 2));
        assertEquals(Optional.of("kept: llama-quantize never quantizes ffn_gate_inp.weight"), keep("blk.0.ffn_gate_inp.weight", 256, 8));
        assertEquals(Optional.of("kept: llama-quantize never quantizes .position_embd"), keep("v.position_embd.weight", 256, 256));
        assertEquals(Optional.of("kept: llama-quantize never quantizes position_embd.weight"), keep("position_embd.weight", 256, 256));
        assertEquals(Optional.of("kept: llama-quantize never quantizes time_mix_w1.weight"), keep("blk.0.time_mix_w1.weight", 256, 256));
        assertEquals(Optional.empty(), keep("blk.0.ssm_in.weight", 256, 512));
        assertEquals(Optional.empty(), keep("output.weight", 256, 512));
        assertEquals(Optional.of("kept: --leave-output-tensor"), QuantizationFilter.keepReason("output.weight", new long[] {256, 512}, true));
    }

    private static Optional<String> keep(String name, long... ne) {
        return QuantizationFilter.keepReason(name, ne, false);
    }

    @Test
    void categoriesTakeTheFirstMatchingSubstring() {
        assertEquals(TensorCategory.OUTPUT, TensorCategory.of("output.weight"));
        assertEquals(TensorCategory.TOKEN_EMBD, TensorCategory.of("per_layer_token_embd.weight"));
        assertEquals(TensorCategory.ATTENTION_QKV, TensorCategory.of("blk.0.attn_qkv.weight"));
        assertEquals(TensorCategory.ATTENTION_KV_B, TensorCategory.of("blk.0.attn_kv_b.weight"));
        assertEquals(TensorCategory.OTHER, TensorCategory.of("blk.0.attn_v_b.weight"));
        assertEquals(TensorCategory.OTHER, TensorCategory.of("blk.0.attn_q_a.weight"));
        assertEquals(TensorCategory.ATTENTION_Q, TensorCategory.of("v.blk.0.attn_q.weight"));
        assertEquals(TensorCategory.FFN_GATE, TensorCategory.of("blk.0.ffn_gate_up_exps.weight"));
        assertEquals(TensorCategory.FFN_UP, TensorCategory.of("blk.0.ffn_up_shexp.weight"));
        assertEquals(TensorCategory.FFN_DOWN, TensorCategory.of("blk.0.ffn_down_exps.weight"));
    }
}
