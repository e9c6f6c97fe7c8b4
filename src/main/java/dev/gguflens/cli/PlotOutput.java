package dev.gguflens.cli;

import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.report.PlotScene;
import dev.gguflens.report.PngRenderer;
import dev.gguflens.report.SvgRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;

/**
 * The file {@code simulate --plot} writes: its format from its extension ({@code .svg}, {@code .png}),
 * checked before any measuring starts, and written whole or not at all (a temporary file beside it,
 * renamed when complete), replacing an older plot of the same name.
 *
 * @param path   the file as the user named it
 * @param format its format
 */
record PlotOutput(Path path, Format format) {

    /** The picture formats, by extension. */
    enum Format { SVG, PNG }

    /** The output for {@code path}; an {@link IllegalArgumentException} when its extension is neither {@code .svg} nor {@code .png}. */
    static PlotOutput of(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".svg")) {
            return new PlotOutput(path, Format.SVG);
        }
        if (name.endsWith(".png")) {
            return new PlotOutput(path, Format.PNG);
        }
        throw new IllegalArgumentException("--plot " + path + ": unknown picture format; the file name must end in .svg or .png");
    }

    /**
     * Fails early, before any measuring, on what would make the write fail at the end: a folder in the way, a missing
     * folder, or one of the input files.
     */
    void check(List<Path> inputs) throws FileFailure {
        if (Files.isDirectory(path)) {
            throw new FileFailure(path, "is a directory; give the path of the picture to write", ExitCode.IO, null);
        }
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new FileFailure(path, "its folder does not exist", ExitCode.IO, null);
        }
        for (Path in : inputs) {
            try {
                if (Files.exists(path) && Files.exists(in) && Files.isSameFile(in, path)) {
                    throw new FileFailure(path, "is one of the input files; choose another name for the picture", ExitCode.USAGE, null);
                }
            } catch (IOException e) {
                throw new FileFailure(path, InputFiles.reason(e), ExitCode.IO, e);
            }
        }
    }

    /** Draws the scene in this output's format and writes it. */
    void write(PlotScene scene) throws FileFailure {
        byte[] bytes;
        try {
            bytes = switch (format) {
                case SVG -> SvgRenderer.render(scene).getBytes(StandardCharsets.UTF_8);
                case PNG -> PngRenderer.render(scene);
            };
        } catch (IOException | LinkageError | java.awt.AWTError | InternalError e) {
            // A Java runtime without its desktop module, or a system without fonts: Java2D cannot draw. SVG needs neither.
            throw new FileFailure(path, "cannot draw a PNG in this Java runtime (" + e + "); write an .svg instead", ExitCode.IO, e);
        }
        Path tmp = null;
        try {
            tmp = GgufWriter.createPartial(path);
            Files.write(tmp, bytes);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The write already failed; that is the error to report.
                }
            }
            throw new FileFailure(path, InputFiles.reason(e), ExitCode.IO, e);
        }
    }
}
