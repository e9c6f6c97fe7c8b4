package dev.gguflens.memory;

/** llama.cpp would refuse to create the context: the message is llama.cpp's own reason, in its words. */
public final class ContextRefusal extends Exception {
    private static final long serialVersionUID = 1L;

    ContextRefusal(String llamaMessage) {
        super(llamaMessage);
    }
}
