package dev.gguflens.gguf;

/**
 * The file is not a GGUF file gguflens can trust: the message names what is wrong (key, tensor,
 * the numbers) and where (the byte offset), in one line a user can act on.
 */
public class GgufFormatException extends Exception {
    private static final long serialVersionUID = 1L;
    private final long offset;

    public GgufFormatException(String message, long offset) {
        super(message + (offset >= 0 ? " (at byte " + offset + ")" : ""));
        this.offset = offset;
    }

    /** The byte offset in the file where the problem was found, or -1 when it concerns the whole file. */
    public long offset() {
        return offset;
    }
}
