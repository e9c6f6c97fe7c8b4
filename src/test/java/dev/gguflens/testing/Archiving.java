package dev.gguflens.testing;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;

/** Archives made in the tests, with commons-compress's writers (and zstd-jni's): members in the order given. */
public final class Archiving {
    private Archiving() {
    }

    /** The compressions a file or a tar can be wrapped in. */
    public enum Compression {
        NONE, GZ, XZ, ZST
    }

    /** A tar of {@code members} (name to file), compressed as asked. */
    public static Path tar(Path out, Compression c, Map<String, Path> members) throws IOException {
        try (OutputStream raw = compressed(out, c);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(raw)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, Path> m : members.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(m.getValue().toFile(), m.getKey());
                tar.putArchiveEntry(e);
                Files.copy(m.getValue(), tar);
                tar.closeArchiveEntry();
            }
        }
        return out;
    }

    /** A zip of {@code members} (name to file), deflated. */
    public static Path zip(Path out, Map<String, Path> members) throws IOException {
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (Map.Entry<String, Path> m : members.entrySet()) {
                zip.putArchiveEntry(new ZipArchiveEntry(m.getValue().toFile(), m.getKey()));
                Files.copy(m.getValue(), zip);
                zip.closeArchiveEntry();
            }
        }
        return out;
    }

    /** One file, compressed. */
    public static Path compress(Path out, Compression c, Path file) throws IOException {
        try (OutputStream o = compressed(out, c)) {
            Files.copy(file, o);
        }
        return out;
    }

    private static OutputStream compressed(Path out, Compression c) throws IOException {
        OutputStream raw = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
        return switch (c) {
            case NONE -> raw;
            case GZ -> new GzipCompressorOutputStream(raw);
            case XZ -> new XZCompressorOutputStream(raw, 1);
            case ZST -> new ZstdOutputStream(raw, 3);
        };
    }
}
