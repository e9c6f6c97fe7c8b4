package dev.gguflens.plan;

import dev.gguflens.gguf.TensorInfo;

/**
 * A source tensor with what the rules ask of it, worked out once per model and options (so planning
 * every file type does not repeat string matching).
 *
 * @param info          the tensor as read
 * @param category      its §4 category
 * @param keepReason    why it is not quantizable (§3.2), or null when it is
 * @param overrideIndex the first {@code --tensor-type} whose pattern is found in the name, or -1
 */
record SourceTensor(TensorInfo info, TensorCategory category, String keepReason, int overrideIndex) {

    String name() {
        return info.name();
    }

    boolean quantizable() {
        return keepReason == null;
    }

    /** {@code ne[0]}, the row length. */
    long rowLength() {
        return info.dim(0);
    }

    /** {@code ne[2]}, 1 for 2-D tensors: the expert count of a 3-D MoE weight. */
    long ne2() {
        return info.dim(2);
    }

    /** {@code ne[1] * ne[2] * ne[3]}. */
    long rows() {
        return info.dim(1) * info.dim(2) * info.dim(3);
    }
}
