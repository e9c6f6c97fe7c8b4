package dev.gguflens.cli;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufStream;
import dev.gguflens.gguf.GgufValue;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * GGUF files inside archives, read as streams without extracting anything: a {@code .zip}; a {@code .tar},
 * plain or compressed ({@code .tar.gz}, {@code .tar.xz}, {@code .tar.zst}); or one compressed file
 * ({@code .gz}, {@code .xz}, {@code .zst}). Formats are told by their magic bytes, not their names (a
 * {@code .tgz} or a misnamed file works), and so is a GGUF member: by its magic {@code GGUF}.
 *
 * <p>Reading a header decompresses only as far as the header needs. That also decides which member is
 * read when none is named: in a zip or a plain tar every member can be looked at cheaply, so several
 * GGUF files are a question ({@code --member NAME}); in a compressed tar, finding a second GGUF file
 * would mean decompressing the first one whole, so the first is read.
 */
final class Archives {
    private static final int BUFFER = 1 << 16;
    private static final byte[] GGUF = {'G', 'G', 'U', 'F'};

    private Archives() {
    }

    /** How a file is compressed: the stream a tar or a GGUF file is in. */
    enum Compression {
        NONE(""), GZ("gz"), XZ("xz"), ZST("zst");

        final String suffix;

        Compression(String suffix) {
            this.suffix = suffix;
        }
    }

    /** What a file is, by its first bytes. */
    sealed interface Kind {
    }

    /** A zip archive. */
    record Zip() implements Kind {
    }

    /** A tar archive, in a compressed stream or not. */
    record Tar(Compression compression) implements Kind {
        String format() {
            return compression == Compression.NONE ? "tar" : "tar." + compression.suffix;
        }
    }

    /** One compressed file that is not a tar: presumably a GGUF file. */
    record Compressed(Compression compression) implements Kind {
    }

    /**
     * What {@code file} is when it is an archive or a compressed file; empty for anything else (a GGUF file,
     * or a file the GGUF reader will say is neither).
     */
    static Optional<Kind> detect(Path file) throws FileFailure {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        } catch (IOException e) {
            return Optional.empty(); // the reader reports it, as for any file
        }
        if (startsWith(head, GGUF)) {
            return Optional.empty();
        }
        if (startsWith(head, new byte[] {'P', 'K', 3, 4}) || startsWith(head, new byte[] {'P', 'K', 5, 6})) {
            return Optional.of(new Zip());
        }
        if (isTar(head)) {
            return Optional.of(new Tar(Compression.NONE));
        }
        Compression c = compression(head);
        if (c == Compression.NONE) {
            return Optional.empty();
        }
        // What the stream holds decides between a compressed tar and a compressed file.
        try (InputStream in = decompressed(file, c)) {
            byte[] inner = in.readNBytes(512);
            return Optional.of(isTar(inner) ? new Tar(c) : new Compressed(c));
        } catch (IOException e) {
            throw new FileFailure(file, "is a ." + c.suffix + " file that cannot be decompressed: " + InputFiles.reason(e),
                    ExitCode.INVALID_GGUF, e);
        }
    }

    /**
     * Reads the header of the GGUF file inside {@code archive}: the one named {@code member}, else the only
     * one (see the class comment for a compressed tar).
     */
    static GgufFile open(Path archive, Kind kind, String member) throws FileFailure {
        GgufStream stream = switch (kind) {
            case Zip z -> zipMember(archive, member);
            case Tar t -> tarMember(archive, t, member);
            case Compressed c -> compressedFile(archive, c, member);
        };
        try {
            GgufFile f = GgufReader.readStreamed(archive, stream);
            if (f.value("split.count").orElse(null) instanceof GgufValue.Int n && n.bits() > 1) {
                // Read alone it would pass for the whole model: refused rather than listed with part of the tensors.
                f.close();
                throw new FileFailure(archive, stream.member() + " is one part of a model split in " + n.bits()
                        + " (split.count): gguflens reads a split model from its files, not from an archive; extract the parts",
                        ExitCode.INVALID_GGUF, null);
            }
            return f;
        } catch (GgufFormatException e) {
            throw new FileFailure(archive, stream.member() + ": " + e.getMessage(), ExitCode.INVALID_GGUF, e);
        } catch (IOException e) {
            throw failure(archive, stream.member(), e);
        }
    }

    private static GgufStream zipMember(Path archive, String member) throws FileFailure {
        List<String> ggufs = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        int files = 0;
        try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
            for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
                ZipArchiveEntry entry = e.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                files++;
                if (member != null ? entry.getName().equals(member) : isGguf(zip, entry)) {
                    ggufs.add(entry.getName());
                    sizes.add(entry.getSize());
                    if (member != null) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw failure(archive, null, e);
        }
        String name = choose(archive, "zip", member, ggufs, files);
        long size = sizes.get(ggufs.indexOf(name));
        return new Member(name, "zip", size) {
            @Override
            public InputStream open() throws IOException {
                ZipFile zip = ZipFile.builder().setPath(archive).get();
                try {
                    ZipArchiveEntry entry = zip.getEntry(name);
                    if (entry == null) {
                        throw new IOException(name + " is no longer in " + archive);
                    }
                    return closingAlso(zip.getInputStream(entry), zip);
                } catch (IOException | RuntimeException e) {
                    zip.close();
                    throw e;
                }
            }
        };
    }

    private static boolean isGguf(ZipFile zip, ZipArchiveEntry entry) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return startsWith(in.readNBytes(4), GGUF);
        }
    }

    private static GgufStream tarMember(Path archive, Tar tar, String member) throws FileFailure {
        List<String> ggufs = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        int files = 0;
        // Every member of a plain tar is looked at (skipping a member's data is a seek); in a compressed one,
        // the scan stops at the first GGUF file (skipping means decompressing).
        boolean stopAtFirst = member != null || tar.compression() != Compression.NONE;
        try (TarArchiveInputStream in = new TarArchiveInputStream(decompressed(archive, tar.compression()))) {
            for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (!entry.isFile()) {
                    continue;
                }
                files++;
                if (member != null ? entry.getName().equals(member) : startsWith(in.readNBytes(4), GGUF)) {
                    ggufs.add(entry.getName());
                    sizes.add(entry.getSize());
                    if (stopAtFirst) {
                        break;
                    }
                }
            }
        } catch (IOException e) {
            throw failure(archive, null, e);
        }
        String name = choose(archive, tar.format(), member, ggufs, files);
        long size = sizes.get(ggufs.indexOf(name));
        return new Member(name, tar.format(), size) {
            @Override
            public InputStream open() throws IOException {
                TarArchiveInputStream in = new TarArchiveInputStream(decompressed(archive, tar.compression()));
                try {
                    for (TarArchiveEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                        if (entry.isFile() && entry.getName().equals(name)) {
                            return in; // reads the entry's data, and closes the whole chain
                        }
                    }
                    throw new IOException(name + " is no longer in " + archive);
                } catch (IOException | RuntimeException e) {
                    in.close();
                    throw e;
                }
            }
        };
    }

    private static GgufStream compressedFile(Path archive, Compressed c, String member) throws FileFailure {
        String file = archive.getFileName().toString();
        String name = file.toLowerCase(Locale.ROOT).endsWith("." + c.compression().suffix)
                ? file.substring(0, file.length() - c.compression().suffix.length() - 1) : file;
        if (member != null && !member.equals(name)) {
            throw new FileFailure(archive, "is one " + c.compression().suffix + "-compressed file (" + name
                    + "), not an archive of several: --member does not apply", ExitCode.USAGE, null);
        }
        return new Member(name, c.compression().suffix, -1) {
            @Override
            public InputStream open() throws IOException {
                return decompressed(archive, c.compression());
            }

            @Override
            public String container() {
                return "a " + c.compression().suffix + "-compressed file";
            }
        };
    }

    /** The member to read: the one named, else the only GGUF file; a missing one, or several, is an error that lists them. */
    private static String choose(Path archive, String format, String member, List<String> ggufs, int files) throws FileFailure {
        if (member != null) {
            if (ggufs.isEmpty()) {
                throw new FileFailure(archive, "has no member " + member + " (a " + format + " archive of " + files
                        + (files == 1 ? " file" : " files") + ")", ExitCode.IO, null);
            }
            return member;
        }
        if (ggufs.isEmpty()) {
            throw new FileFailure(archive, "holds no GGUF file (a " + format + " archive of " + files
                    + (files == 1 ? " file" : " files") + "; a GGUF file starts with the bytes 'GGUF')", ExitCode.INVALID_GGUF, null);
        }
        if (ggufs.size() > 1) {
            throw new FileFailure(archive, "holds " + ggufs.size() + " GGUF files; choose one with --member NAME: "
                    + String.join(", ", ggufs), ExitCode.USAGE, null);
        }
        return ggufs.getFirst();
    }

    /** The file's bytes through the decompressor of {@code c}, buffered. */
    static InputStream decompressed(Path file, Compression c) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            return switch (c) {
                case NONE -> raw;
                case GZ -> new GzipCompressorInputStream(raw, true);
                case XZ -> new XZCompressorInputStream(raw, true);
                case ZST -> zstd(raw);
            };
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** zstd is decoded by zstd-jni, whose native library must load on this machine: if it cannot, say so. */
    private static InputStream zstd(InputStream raw) throws IOException {
        try {
            return new ZstdCompressorInputStream(raw);
        } catch (LinkageError e) {
            throw new IOException("zstd needs the native library of zstd-jni, which could not be loaded on this platform ("
                    + System.getProperty("os.name") + ", " + System.getProperty("os.arch") + "): " + e.getMessage()
                    + "; decompress the file with the zstd tool first", e);
        }
    }

    /** A failure reading the archive: its data (exit 3) unless it is the file system's (exit 5). */
    private static FileFailure failure(Path archive, String member, IOException e) {
        boolean io = e instanceof java.nio.file.FileSystemException;
        return new FileFailure(archive, (member == null ? "" : member + ": ") + (io ? "" : "cannot read the archive: ")
                + InputFiles.reason(e), io ? ExitCode.IO : ExitCode.INVALID_GGUF, e);
    }

    private static boolean isTar(byte[] head) {
        // POSIX ustar and GNU tar both write "ustar" at byte 257 of every header.
        return head.length >= 262 && Arrays.equals(Arrays.copyOfRange(head, 257, 262), new byte[] {'u', 's', 't', 'a', 'r'});
    }

    private static Compression compression(byte[] head) {
        if (startsWith(head, new byte[] {0x1f, (byte) 0x8b})) {
            return Compression.GZ;
        }
        if (startsWith(head, new byte[] {(byte) 0xfd, '7', 'z', 'X', 'Z', 0})) {
            return Compression.XZ;
        }
        if (startsWith(head, new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd})) {
            return Compression.ZST;
        }
        return Compression.NONE;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(Arrays.copyOf(b, prefix.length), prefix);
    }

    /** A stream that also closes {@code other} (the zip file an entry's stream reads from). */
    private static InputStream closingAlso(InputStream in, AutoCloseable other) {
        return new FilterInputStream(in) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    try {
                        other.close();
                    } catch (IOException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                }
            }
        };
    }

    /** A member found in an archive: its name, the archive's format and its size (-1 when unknown). */
    private abstract static class Member implements GgufStream {
        private final String name;
        private final String format;
        private final long size;

        Member(String name, String format, long size) {
            this.name = name;
            this.format = format;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public String member() {
            return name;
        }

        @Override
        public String format() {
            return format;
        }
    }
}
