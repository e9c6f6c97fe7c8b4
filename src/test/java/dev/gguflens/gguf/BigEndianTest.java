package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Big-endian files (ggml refuses them, gguf-py reads them): a byte-swapped copy of a file reads back as
 * the same file, flagged big-endian, and our writer's big-endian output is exactly that copy.
 * The copies come from {@link ByteSwapped}, an independent walk over llama.cpp-written files.
 */
class BigEndianTest {

    // Two sources, so the shipped files are still checked when the oracle is absent (its source then skips).
    @ParameterizedTest
    @MethodSource("dev.gguflens.gguf.OracleListingTest#testdataFiles")
    void aByteSwappedShippedFileReadsAsTheOriginal(Path file) throws Exception {
        assertBigEndianCopyMatches(file.getFileName().toString(), Files.readAllBytes(file));
    }

    @ParameterizedTest
    @MethodSource("dev.gguflens.gguf.OracleListingTest#oracleFiles")
    void aByteSwappedOracleFileReadsAsTheOriginal(Path file) throws Exception {
        assertBigEndianCopyMatches(file.getFileName().toString(), Files.readAllBytes(file));
    }

    @Test
    void aByteSwappedFileWithEveryValueTypeReadsAsTheOriginal() throws Exception {
        assertBigEndianCopyMatches("writer fixture", Fixtures.smallFile());
    }

    /** The swapper itself, on fields whose big-endian bytes are known by hand. */
    @Test
    void theSwappedCopyHoldsBigEndianFields() {
        byte[] be = ByteSwapped.of(Fixtures.smallFile());
        assertArrayEquals(new byte[] {'G', 'G', 'U', 'F', 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 27},
                Arrays.copyOf(be, 24), "magic, version 3, 3 tensors, 27 keys");
        // First key: length 20 (8 bytes, big-endian) at 24, "general.architecture" at 32, type 8 at 52.
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 20}, Arrays.copyOfRange(be, 24, 32));
        assertArrayEquals(new byte[] {0, 0, 0, 8}, Arrays.copyOfRange(be, 52, 56));
        int u32 = indexOf(be, new byte[] {(byte) 0xA1, (byte) 0xB2, (byte) 0xC3, (byte) 0xD4});
        int u64 = indexOf(be, new byte[] {(byte) 0xA1, (byte) 0xB2, (byte) 0xC3, (byte) 0xD4, (byte) 0xE5, (byte) 0xF6, 0x07, 0x18});
        assertTrue(u32 > 0 && u64 > u32, "u32 0xA1B2C3D4 and u64 0xA1B2C3D4E5F60718 stored most significant byte first");
    }

    private static void assertBigEndianCopyMatches(String name, byte[] le) throws Exception {
        byte[] be = ByteSwapped.of(le);
        try (GgufFile l = GgufReader.read(le); GgufFile b = GgufReader.read(be)) {
            assertEquals(ByteOrder.LITTLE_ENDIAN, l.byteOrder(), name);
            assertEquals(ByteOrder.BIG_ENDIAN, b.byteOrder(), name);
            assertEquals(l.version(), b.version(), name);
            assertEquals(l.alignment(), b.alignment(), name);
            assertEquals(l.headerEnd(), b.headerEnd(), name);
            assertEquals(l.dataOffset(), b.dataOffset(), name);
            assertEquals(l.metadata(), b.metadata(), name + ": keys, values (arrays element by element) and record offsets");
            for (int i = 0; i < l.metadata().size(); i++) {
                if (l.metadata().get(i).value() instanceof GgufArray a) {
                    GgufArray c = (GgufArray) b.metadata().get(i).value();
                    assertEquals(a.first(Integer.MAX_VALUE).toString(), c.first(Integer.MAX_VALUE).toString(), name + " " + a);
                }
            }
            assertEquals(l.tensors(), b.tensors(), name + ": names, shapes, types, offsets, sizes");
            assertEquals(l.tensors().stream().map(TensorInfo::infoOffset).toList(),
                    b.tensors().stream().map(TensorInfo::infoOffset).toList(), name);
            List<String> expectedWarnings = new ArrayList<>();
            expectedWarnings.add("big-endian file: llama.cpp on a little-endian machine refuses it (gguf-py reads it)");
            expectedWarnings.addAll(l.warnings());
            assertEquals(expectedWarnings, b.warnings(), name);
            for (TensorInfo t : b.tensors()) {
                if (t.type().equals(GgmlType.F32)) {
                    // The data view points at the swapped elements: each reads back as the little-endian value.
                    assertArrayEquals(l.tensorData(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED),
                            b.tensorData(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN)), name + " " + t);
                }
            }

            // Our writer, asked for big-endian, writes exactly the swapped copy: every field, inside arrays too.
            GgufWriter.Layout layout = GgufWriter.layout(l.metadata(), l.tensors().stream().map(GgufWriter.TensorSpec::of).toList(),
                    l.alignment(), ByteOrder.BIG_ENDIAN);
            assertArrayEquals(Arrays.copyOf(be, Math.toIntExact(b.headerEnd())), layout.header(), name + ": big-endian header");
            assertEquals(be.length, layout.fileSize(), name);
            ByteArrayOutputStream written = new ByteArrayOutputStream();
            GgufWriter.writeTo(Channels.newChannel(written), layout, GgufWriter.TensorSource.ofSegments(b::tensorData));
            assertArrayEquals(be, written.toByteArray(), name + ": whole big-endian file");
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
