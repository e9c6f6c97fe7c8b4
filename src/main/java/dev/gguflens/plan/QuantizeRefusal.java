package dev.gguflens.plan;

/** llama-quantize gives up on the whole run; the message is its reason, in its words where it has any. */
final class QuantizeRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    QuantizeRefusal(String message) {
        super(message, null, false, false);
    }
}
