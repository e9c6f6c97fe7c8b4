package dev.gguflens.sim;

import java.nio.charset.StandardCharsets;

/**
 * {@code --sample FRACTION}: estimate the errors from a seeded random subset of blocks instead of all.
 *
 * <p><b>Design.</b> Each tensor is cut into sampling units of whole blocks, about 256 values, inside one
 * row (a multiple of the source's and the target's block sizes; see {@link #unitSize}); a tensor quantized
 * with importance weights ({@code --imatrix}) into whole rows, since its encoder needs them. Each unit is
 * taken independently with probability {@code fraction} (Bernoulli sampling), decided by a hash of the
 * seed, the tensor's name and the unit's index: the same seed gives the same sample whatever the thread
 * count or chunking. Blocks quantize independently, so a sampled unit has exactly the error it has in
 * the full run. Estimates are ratio estimators over the sampled values (mean d² for the RMSE, Σd²/Σx²
 * for the relative RMSE, the sample's histogram for percentiles), scaled to the tensor's size where a
 * total is asked for (SSE).
 *
 * <p><b>Confidence intervals: the random group method</b> (Wolter, <i>Introduction to Variance
 * Estimation</i>, ch. 2). Each sampled unit is also assigned by the hash to one of {@value #GROUPS}
 * groups, each itself a random sample; every estimate θ is recomputed per group (θ_g), and
 * {@code v(θ) = (1 - f) Σ(θ_g - θ̄)² / (G(G-1))} over the G groups that hold values, with the finite
 * population correction {@code 1 - f}. The interval is {@code θ ± t(0.975, G-1) √v}, clipped to the
 * statistic's range. It needs no formula per statistic, so percentiles, cosine and SNR get intervals
 * the same way as the RMSE. A model, role or layer adds its tensors' estimated totals, group by group
 * (see {@code ErrorPool}), so aggregates get intervals too. A tensor whose sample would hold few
 * units is measured in full ({@code ErrorEngine.MIN_SAMPLED_UNITS}), kept or converted; elsewhere, with few
 * sampled units the intervals are wide or missing, which is the honest answer.
 *
 * @param fraction the probability of taking each unit, in (0, 1]
 * @param seed     the seed of the hash
 */
public record Sampling(double fraction, long seed) {
    /** Random groups per tensor. */
    public static final int GROUPS = 10;
    /** Values per sampling unit, as near as the block sizes and the row length allow. */
    static final int TARGET_UNIT = 256;
    /** The default seed, so that two runs without {@code --seed} sample the same blocks. */
    public static final long DEFAULT_SEED = 0x6767_7566_6c65_6e73L; // "gguflens" in ASCII

    public Sampling {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("sample fraction must be in (0, 1], got " + fraction);
        }
    }

    /**
     * The unit for a tensor with rows of {@code rowLength}: the least common multiple of the two block
     * sizes, times the largest factor that keeps it at most {@value #TARGET_UNIT} values (or one lcm, if
     * that is already more) and still divides the row.
     */
    static int unitSize(long rowLength, int sourceBlock, int targetBlock) {
        long base = lcm(sourceBlock, targetBlock);
        for (long k = Math.max(1, TARGET_UNIT / base); k > 1; k--) {
            if (rowLength % (base * k) == 0) {
                return Math.toIntExact(base * k);
            }
        }
        return Math.toIntExact(base);
    }

    /** A key for a tensor's name (FNV-1a over its UTF-8 bytes, then mixed with the seed). */
    long tensorKey(String name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return mix(h ^ seed);
    }

    /** The group of unit {@code unit} of the tensor with key {@code key}, or -1 when the unit is not taken. */
    int groupOf(long key, long unit) {
        long h = mix(key + unit * 0x9E3779B97F4A7C15L);
        double u = (h >>> 11) * 0x1.0p-53;
        if (u >= fraction) {
            return -1;
        }
        return (int) Long.remainderUnsigned(mix(h), GROUPS);
    }

    /** SplitMix64's finalizer: a bijective mix in which every input bit affects every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static long lcm(long a, long b) {
        long x = a, y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }
}
