package dev.gguflens.gguf;

import java.nio.file.Path;

/**
 * The parts of a split model do not form one model: a part is missing, extra, invalid or does not
 * match the others. {@link #file} is the file the message is about (the missing, extra or faulty part).
 */
public final class SplitSetException extends GgufFormatException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public SplitSetException(Path file, String message, long offset) {
        super(message, offset);
        this.file = file;
    }

    /** The part the message is about. */
    public Path file() {
        return file;
    }
}
