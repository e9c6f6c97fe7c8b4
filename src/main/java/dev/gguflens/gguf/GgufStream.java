package dev.gguflens.gguf;

import java.io.IOException;
import java.io.InputStream;

/**
 * A GGUF image that can only be read front to back, such as a member of a compressed archive: each pass
 * (the header, then each run over the tensor data) opens it anew at its first byte.
 */
public interface GgufStream {
    /** Opens the image at its first byte; the caller closes the stream. */
    InputStream open() throws IOException;

    /** The image's size in bytes, or -1 when the container does not say (a {@code .gz} stream). */
    long size();

    /** The image's name in its container ({@code model.gguf}). */
    String member();

    /** The container's format, as its file names end: {@code zip}, {@code tar}, {@code tar.zst}, {@code gz}, ... */
    String format();

    /** What holds the image, in words: {@code a tar.zst archive}, {@code a gz-compressed file}. */
    default String container() {
        return "a " + format() + " archive";
    }

    /** What the image is, for messages: e.g. {@code model.gguf in a tar.zst archive}. */
    default String describe() {
        return member() + " in " + container();
    }
}
