package dev.gguflens.quant.ref;

/**
 * {@code kvalues_iq4nl}, the 16 non-linear levels of IQ4_NL and IQ4_XS, for code outside this package
 * (the vectorized IQ4 codecs); see {@code Iq4NlQuantizer.KVALUES} for their provenance.
 */
public final class Iq4NlTable {
    private Iq4NlTable() {
    }

    /** A copy of the 16 levels, ascending. */
    public static int[] values() {
        return Iq4NlQuantizer.KVALUES.clone();
    }
}
