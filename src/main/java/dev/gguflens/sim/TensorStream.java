package dev.gguflens.sim;

import dev.gguflens.gguf.GgufStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A GGUF image read front to back, as the error engine reads one from an archive: each read names the
 * absolute offset it wants, never one behind the last, and what lies between is skipped (decompressed and
 * dropped). Used by one thread, the pipeline's caller.
 */
final class TensorStream implements AutoCloseable {
    private final GgufStream source;
    private final InputStream in;
    private long position;

    TensorStream(GgufStream source) {
        this.source = source;
        try {
            this.in = source.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code n} bytes at {@code offset} of the image into {@code dst} at {@code at}; {@code tensor} names them in errors. */
    void read(long offset, byte[] dst, int at, int n, String tensor) {
        skipTo(offset, tensor);
        try {
            int got = in.readNBytes(dst, at, n);
            position += got;
            if (got < n) {
                throw new UncheckedIOException(new EOFException(source.describe() + " ends at byte " + position
                        + ", inside tensor '" + tensor + "' (its data needs bytes up to " + (offset + n) + "): a truncated archive"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves to {@code offset}, dropping the bytes before it. */
    void skipTo(long offset, String tensor) {
        if (offset < position) {
            throw new IllegalStateException("tensor '" + tensor + "': byte " + offset + " is behind the stream's " + position);
        }
        try {
            in.skipNBytes(offset - position);
            position = offset;
        } catch (EOFException e) {
            throw new UncheckedIOException(new EOFException(source.describe() + " ends before byte " + offset
                    + ", where tensor '" + tensor + "' is: a truncated archive"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            // Everything needed was read; a failure to release the stream changes no result.
        }
    }
}
