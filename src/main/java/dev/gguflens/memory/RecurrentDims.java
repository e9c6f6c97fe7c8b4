package dev.gguflens.memory;

import dev.gguflens.gguf.GgufFormatException;

/**
 * The widths of a recurrent layer's state, as {@code llama_hparams::n_embd_r()} and {@code n_embd_s()}
 * ({@code src/llama-hparams.cpp}) compute them: {@code llama_memory_recurrent} keeps, per layer and per
 * sequence, one F32 row of each ({@code cache_r_l*}: the convolution or token-shift state; {@code cache_s_l*}:
 * the SSM or WKV state).
 *
 * <ul>
 * <li>RWKV ({@code wkv.head_size} set): r = {@code token_shift_count} (default 2) x n_embd; s = n_embd x head size.</li>
 * <li>LFM2 short convolutions ({@code shortconv.l_cache} set): r = n_embd x (l_cache - 1); s = d_state x d_inner (0).</li>
 * <li>Mamba, Mamba-2 and the SSM hybrids: r = (d_conv - 1) x (d_inner + 2 x n_group x d_state);
 *     s = d_state x d_inner ({@code ssm.conv_kernel}, {@code ssm.inner_size}, {@code ssm.group_count},
 *     {@code ssm.state_size}).</li>
 * </ul>
 *
 * @param family  {@code rwkv}, {@code shortconv} or {@code ssm}, for messages
 * @param rowR    {@code n_embd_r()}, F32 values per layer and sequence
 * @param rowS    {@code n_embd_s()}, F32 values per layer and sequence
 * @param dInner  {@code ssm_d_inner} (0 when not an SSM)
 * @param dState  {@code ssm_d_state}
 * @param dtRank  {@code ssm_dt_rank}
 */
public record RecurrentDims(String family, long rowR, long rowS, long dInner, long dState, long dtRank) {

    static RecurrentDims of(String arch, HparamKeys k, long embd) throws GgufFormatException {
        long wkvHeadSize = k.integer("wkv.head_size", 0);
        long lCache = k.integer("shortconv.l_cache", 0);
        long dConv = k.integer("ssm.conv_kernel", 0);
        long dInner = k.integer("ssm.inner_size", 0);
        long dState = k.integer("ssm.state_size", 0);
        long nGroup = k.integer("ssm.group_count", 0);
        long dtRank = k.integer("ssm.time_step_rank", 0);
        if (wkvHeadSize != 0) {
            long shift = k.integer("token_shift_count", 2);
            return new RecurrentDims("rwkv", shift * embd, embd * wkvHeadSize, 0, 0, 0);
        }
        if (lCache != 0) {
            return new RecurrentDims("shortconv", embd * (lCache - 1), dState * dInner, 0, 0, 0);
        }
        long conv = (dConv > 0 ? dConv - 1 : 0) * (dInner + 2 * nGroup * dState);
        return new RecurrentDims("ssm", conv, dState * dInner, dInner, dState, dtRank);
    }
}
