package dev.gguflens.plan;

import dev.gguflens.imatrix.ImatrixFile;

/**
 * Whether the run has an importance matrix: none; assumed (plan the types a run with one would get,
 * without its metadata keys); or read from a file, which also adds the four {@code quantize.imatrix.*}
 * keys as llama-quantize does.
 */
public sealed interface ImatrixMode {
    /** No imatrix: runs whose tensors require one fail, as llama-quantize's do. */
    ImatrixMode NONE = new None();
    /** Plan as if an imatrix covering every tensor were given; no keys are added. */
    ImatrixMode ASSUMED = new Assumed();

    /**
     * Whether llama.cpp's {@code has_imatrix} is true. A file without a single entry counts as none:
     * llama-quantize then passes no imatrix (and adds no keys).
     */
    default boolean present() {
        return switch (this) {
            case None n -> false;
            case Assumed a -> true;
            case FromFile(ImatrixFile f) -> f.entriesCount() > 0;
        };
    }

    /**
     * The importance weights of a planned tensor: the values of its entry ({@code slices x ne0} floats), or null when it
     * goes without (copied, no entry, no imatrix).
     *
     * @throws UnsupportedOperationException for an assumed imatrix, which has no values
     */
    default float[] weightsFor(PlannedTensor t) {
        if (t.imatrix() != ImatrixUse.WEIGHTED) {
            return null;
        }
        return switch (this) {
            case FromFile(ImatrixFile f) -> f.entry(t.name()).orElseThrow().values();
            case Assumed a -> throw new UnsupportedOperationException("an assumed importance matrix (--assume-imatrix) has no values"
                    + " to quantize " + t.name() + " with: give the file with --imatrix FILE");
            case None n -> null;
        };
    }

    record None() implements ImatrixMode {
    }

    record Assumed() implements ImatrixMode {
    }

    /** An imatrix loaded from a file, as {@code llama-quantize --imatrix FILE} loads it. */
    record FromFile(ImatrixFile file) implements ImatrixMode {
    }
}
