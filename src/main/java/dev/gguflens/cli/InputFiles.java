package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.SplitModel;
import dev.gguflens.gguf.SplitSetException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens the files commands read, turning every way that can fail into a {@link FileFailure}. */
public final class InputFiles {
    private InputFiles() {
    }

    /**
     * Opens and validates a GGUF file, or all parts of a split model when it is one of them: an invalid file
     * or an incomplete split set fails with exit code 3, an unreadable file with 5.
     */
    public static GgufFile openGguf(Path path) throws FileFailure {
        return openGguf(path, null);
    }

    /**
     * Opens a GGUF file as {@link #openGguf(Path)} does, and also {@code ollama:NAME[:TAG]} (an Ollama model)
     * and archives ({@code .zip}, {@code .tar}, compressed or not, {@code .gz}, {@code .xz}, {@code .zst}),
     * whose header is read from the stream and whose tensor data is streamed ({@link GgufFile#stream()}).
     *
     * @param member the GGUF file to read in an archive, or null for its only one; an error for anything else
     */
    public static GgufFile openGguf(Path path, String member) throws FileFailure {
        if (path.toString().startsWith(OllamaStore.PREFIX)) {
            if (member != null) {
                throw new FileFailure(path, "--member applies to archives, not to Ollama models", ExitCode.USAGE, null);
            }
            return openOllama(path, OllamaStore.of(System.getenv(), System.getProperty("user.home")));
        }
        // Checked here rather than left to the reader so the message does not repeat the path printed before it.
        if (Files.isDirectory(path)) {
            throw new FileFailure(path, "is a directory, not a GGUF file", ExitCode.IO, null);
        }
        if (Files.isRegularFile(path)) {
            java.util.Optional<Archives.Kind> archive = Archives.detect(path);
            if (archive.isPresent()) {
                return Archives.open(path, archive.get(), member);
            }
        }
        if (member != null) {
            throw new FileFailure(path, "--member applies to archives; this is not one (.zip, .tar, .tar.gz, .tar.xz, .tar.zst,"
                    + " .gz, .xz, .zst)", ExitCode.USAGE, null);
        }
        try {
            return SplitModel.open(path);
        } catch (SplitSetException e) {
            // Named after the part at fault (missing, extra, invalid), which need not be the file named.
            throw new FileFailure(e.file(), e.getMessage(), ExitCode.INVALID_GGUF, e);
        } catch (GgufFormatException e) {
            throw new FileFailure(path, e.getMessage(), ExitCode.INVALID_GGUF, e);
        } catch (IOException e) {
            throw new FileFailure(failedFile(e, path), reason(e), ExitCode.IO, e);
        }
    }

    /**
     * Opens the model blob of {@code typed} ({@code ollama:NAME[:TAG]}) in {@code store}. A blob has no name
     * to go by: it is read as GGUF when its magic says so, and refused (exit 3) otherwise.
     */
    static GgufFile openOllama(Path typed, OllamaStore store) throws FileFailure {
        Path blob = store.blob(typed);
        try {
            return GgufReader.open(blob);
        } catch (GgufFormatException e) {
            throw new FileFailure(typed, "its model blob " + blob + ": " + e.getMessage(), ExitCode.INVALID_GGUF, e);
        } catch (IOException e) {
            throw new FileFailure(typed, "its model blob " + blob + ": " + reason(e), ExitCode.IO, e);
        }
    }

    /** The file an I/O error is about (another part of a split model, say), else {@code fallback}. */
    static Path failedFile(IOException e, Path fallback) {
        if (e instanceof FileSystemException f && f.getFile() != null) {
            try {
                return Path.of(f.getFile());
            } catch (java.nio.file.InvalidPathException ignored) {
                return fallback;
            }
        }
        return fallback;
    }

    /** A one-line reason for an I/O failure, without repeating the file name the caller prints. */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
