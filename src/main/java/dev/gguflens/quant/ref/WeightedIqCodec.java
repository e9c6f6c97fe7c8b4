package dev.gguflens.quant.ref;

import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.CodecAbortException;
import dev.gguflens.quant.ImportanceUse;

/**
 * Base of the grid-search IQ types (IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ1_S, IQ1_M), which gguflens encodes
 * only with importance weights (reference/quantizers-imatrix.md §4): ggml refuses IQ2_XXS, IQ2_XS and IQ1_S
 * without them, and llama-quantize never asks for the other three without them (its
 * {@code tensor_requires_imatrix} rule), so their plain encoders are not ported. Subclasses decode one
 * 256-value block and supply a {@link BlockEncoder}, the port of their {@code quantize_row_*_impl}.
 */
abstract sealed class WeightedIqCodec implements BlockCodec
        permits Iq2XxsCodec, Iq2XsCodec, Iq2SCodec, Iq3XxsCodec, Iq1SCodec, Iq1MCodec {
    static final int QK_K = 256;

    /** Encodes one 256-value super-block; holds the scratch arrays of one {@code quantizeRows} call. */
    interface BlockEncoder {
        /**
         * Encodes {@code x[xOff .. xOff+256)} with importance {@code qw[qwOff .. qwOff+256)} into the block at
         * {@code y[yOff]}; {@code block} (the block's index in the call) only labels abort messages.
         */
        void encode(float[] x, int xOff, float[] qw, int qwOff, byte[] y, int yOff, long block);
    }

    /** A fresh encoder with its own scratch space (codecs stay stateless and thread-safe). */
    abstract BlockEncoder newEncoder();

    @Override
    public final boolean canQuantize() {
        return false;
    }

    @Override
    public final ImportanceUse importanceUse() {
        return ImportanceUse.REQUIRED;
    }

    @Override
    public final void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
        throw needsImportance();
    }

    private UnsupportedOperationException needsImportance() {
        return new UnsupportedOperationException(type().name()
                + " is encoded only with an importance matrix (llama-quantize requires one for it)");
    }

    /** {@code quantize_<type>(src, dst, nrow, n_per_row, imatrix)}: each row's super-blocks in order, the same weights for every row. */
    @Override
    public final void quantizeWeightedRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow,
                                           float[] importance, int importanceOff) {
        BlockEncoder encoder = newEncoder();
        ImportanceWeights.forEachBlock(type(), srcOff, dstOff, nRows, nPerRow, importance, importanceOff,
                (xo, yo, qo, block) -> encoder.encode(src, xo, importance, qo, dst, yo, block));
    }

    @Override
    public final void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        int bytes = type().typeSize();
        for (int b = 0; b < n / QK_K; b++) {
            decodeBlock(src, srcOff + b * bytes, dst, dstOff + b * QK_K);
        }
    }

    /** {@code ggml_validate_row_data}: these types check their fp16 super-block scale only. */
    @Override
    public long firstInvalidBlock(byte[] data, int off, long nBlocks) {
        int bytes = type().typeSize();
        for (long b = 0; b < nBlocks; b++) {
            if (scaleNonFinite(data, Math.toIntExact(off + b * bytes))) {
                return b;
            }
        }
        return -1;
    }

    /** Whether the block at {@code off} has a NaN or infinite super-block scale; {@code d} is the fp16 at offset 0 unless overridden. */
    boolean scaleNonFinite(byte[] block, int off) {
        return QuantMath.f16NonFinite(block, off);
    }

    /** Decodes the 256 values of the block at {@code off} into {@code y} from {@code yOff}, as ggml's {@code dequantize_row_*}. */
    abstract void decodeBlock(byte[] b, int off, float[] y, int yOff);

    /** {@code kmask_iq2xs[j] = 1 << j}: bit j of a sign byte set means element j is negative. */
    static float sign(int signBits, int j) {
        return (signBits & (1 << j)) != 0 ? -1.0f : 1.0f;
    }

    // ---- helpers shared by the encoders ----

    /** {@code Σ x²} over the super-block, sequential from 0 (§2.1's {@code S}). */
    static float sumOfSquares(float[] x, int off) {
        float s = 0;
        for (int i = 0; i < QK_K; i++) {
            s += x[off + i] * x[off + i];
        }
        return s;
    }

    /** §2.1: {@code weight[i] = qw[i] * sqrtf(sigma2 + x[i]*x[i])} for n values. */
    static void importanceWeights(float[] x, int xOff, float[] qw, int qwOff, float sigma2, float[] weight, int n) {
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            weight[i] = qw[qwOff + i] * (float) Math.sqrt(sigma2 + xi * xi);
        }
    }

    /** {@code waux[i] = sqrtf(weight[i])}: the weight of the IQ2/IQ3 neighbour searches (§5). */
    static void sqrtWeights(float[] weight, float[] waux, int n) {
        for (int i = 0; i < n; i++) {
            waux[i] = (float) Math.sqrt(weight[i]);
        }
    }

    /**
     * §2.6, one group of 8 with even parity (IQ2_XXS, IQ2_XS, IQ3_XXS): {@code xval = |x|}, and when an odd
     * number of values is negative, the one with the smallest {@code (weight*x)*x} (first minimum) keeps
     * its sign in {@code xval} instead, so the 7 stored sign bits imply the eighth. Returns the 7-bit code.
     */
    static int evenParitySigns(float[] x, int xOff, float[] weight, float[] xval, int off) {
        int s = 0;
        int nflip = 0;
        for (int i = 0; i < 8; i++) {
            float v = x[xOff + i];
            if (v >= 0) {
                xval[off + i] = v; // -0.0 >= 0: xval keeps -0.0
            } else {
                xval[off + i] = -v;
                nflip++;
                s |= 1 << i;
            }
        }
        if (nflip % 2 != 0) {
            int imin = 0;
            float min = weight[off] * x[xOff] * x[xOff];
            for (int i = 1; i < 8; i++) {
                float ax = weight[off + i] * x[xOff + i] * x[xOff + i];
                if (ax < min) {
                    min = ax;
                    imin = i;
                }
            }
            xval[off + imin] = -xval[off + imin];
            s ^= 1 << imin;
        }
        return s & 127;
    }

    /** C's {@code MAX} fold from the first element: {@code max = (max > v) ? max : v}. */
    static float maxOf(float[] v, int n) {
        float max = v[0];
        for (int i = 1; i < n; i++) {
            max = max > v[i] ? max : v[i];
        }
        return max;
    }

    /** {@code clamp(nearest_int(0.5f*(id*v - 1)), 0, hi)}: a value's level for the inverse scale {@code id}. */
    static int level(float id, float v, int hi) {
        int l = QuantMath.nearestInt(0.5f * (id * v - 1));
        return Math.max(0, Math.min(hi, l));
    }

    /**
     * The indices 0..n-1 ordered by {@code x[xOff + i]} ascending, equal values (-0.0 and +0.0 included) in
     * index order: glibc's {@code qsort} is a stable merge sort at these sizes (§4.6 step 2.3). An insertion
     * sort, which for 16 or 32 values is also the quickest.
     */
    static void stableSortByValue(float[] x, int xOff, int n, int[] idx) {
        for (int j = 0; j < n; j++) {
            int i = j;
            float v = x[xOff + j];
            while (i > 0 && x[xOff + idx[i - 1]] > v) {
                idx[i] = idx[i - 1];
                i--;
            }
            idx[i] = j;
        }
    }

    /** ggml's {@code GGML_ASSERT}s that kill the process, reported instead (CodecAbortException). */
    CodecAbortException abort(long block, int ib, String what) {
        return new CodecAbortException(type().name() + ": ggml would abort the process (SIGABRT) quantizing block "
                + block + ", sub-block " + ib + ": " + what);
    }
}
