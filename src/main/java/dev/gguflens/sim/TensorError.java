package dev.gguflens.sim;

import dev.gguflens.gguf.GgmlType;

/**
 * The error of one tensor of a planned output.
 *
 * @param name            the tensor name
 * @param role            what it does ({@link TensorRole})
 * @param layer           its layer, or -1 outside the layers
 * @param sourceType      its type in the source file
 * @param targetType      its type in the output
 * @param kept            copied as it is (same type): zero error
 * @param sourceQuantized the source is itself quantized: errors are against its decoded values, not the
 *                        original weights, which the file no longer holds
 * @param signalKnown     false for a kept tensor gguflens cannot decode (e.g. I32): counted with zero
 *                        error and no signal
 * @param error           the statistics
 */
public record TensorError(String name, TensorRole role, int layer, GgmlType sourceType, GgmlType targetType, boolean kept,
                          boolean sourceQuantized, boolean signalKnown, ErrorStats error) {
}
