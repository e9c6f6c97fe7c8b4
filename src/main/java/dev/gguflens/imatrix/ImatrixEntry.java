package dev.gguflens.imatrix;

/**
 * One entry of an importance matrix: the importance of each column of one weight tensor, as
 * llama-quantize passes it to the quantizers (quantizers-imatrix.md §1.2, §1.3).
 *
 * @param name      the weight tensor's name ({@code blk.0.ffn_down.weight})
 * @param values    {@code slices x rowLength} values: per slice, {@code sum / count} (1 for a slice whose count is
 *                  not positive) in a GGUF imatrix, or {@code value / ncall} in a legacy one
 * @param rowLength the values per slice ({@code ne0} of the weight); for a legacy entry, which does not say how it
 *                  is sliced, all its values
 * @param counts    per slice, the activation rows counted ({@code .counts}); for a legacy entry its one {@code ncall}
 */
public record ImatrixEntry(String name, float[] values, int rowLength, float[] counts) {

    /** The number of slices: experts for a 3-D MoE weight, 1 for an ordinary weight (and for every legacy entry). */
    public int slices() {
        return counts.length;
    }

    /** The slices that never saw a token (count not positive): their values are all 1. */
    public int zeroCountSlices() {
        int n = 0;
        for (float c : counts) {
            if (!(c > 0)) {
                n++;
            }
        }
        return n;
    }

    /** The smallest value (NaN for an entry without values, or when the smallest is NaN). */
    public float min() {
        float m = values.length == 0 ? Float.NaN : Float.POSITIVE_INFINITY;
        for (float v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** The largest value. */
    public float max() {
        float m = values.length == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
