package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files over 4 GiB, as sparse files (nothing but the header and a few marker bytes is written): offsets
 * past 2^32 are read and the mapping reaches them.
 *
 * <p>Four F16 tensors "t0".."t3" of [32768, 24576] = 805306368 elements = 1610612736 bytes (1.5 GiB, a
 * multiple of 32, so no padding) at offsets 0, 1.5, 3 and 4.5 GiB of the data section. Header: 24 +
 * the key "general.architecture" = "llama" (8 + 20 + 4 + 8 + 5 = 45) = 69, then four tensor infos of
 * 8 + 2 + 4 + 2 x 8 + 4 + 8 = 42 bytes (69..237), padded to 256: the data section starts at byte 256 and
 * the file is 256 + 4 x 1610612736 = 6442451200 bytes.
 */
class LargeFileTest {
    private static final long TENSOR_BYTES = 1_610_612_736L;
    private static final long DATA_OFFSET = 256;
    private static final long FILE_SIZE = 6_442_451_200L;
    private static final byte[] HEAD_MARK = {'h', 'e', 'a', 'd'};
    private static final byte[] TAIL_MARK = {'t', 'a', 'i', 'l'};

    private static GgufWriter.Layout layout() {
        List<GgufWriter.TensorSpec> tensors = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tensors.add(new GgufWriter.TensorSpec("t" + i, new long[] {32768, 24576}, GgmlType.F16));
        }
        return GgufWriter.layout(List.of(new MetadataEntry("general.architecture", GgufValue.Str.of("llama"))), tensors);
    }

    /** Header, zero padding, then the file extended (sparse) to {@code length}; markers at the last tensor's ends. */
    private static Path sparseFile(Path dir, long length) throws Exception {
        GgufWriter.Layout layout = layout();
        assertEquals(DATA_OFFSET, layout.dataOffset());
        assertEquals(FILE_SIZE, layout.fileSize());
        Path file = dir.resolve("big.gguf");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(layout.header());
            raf.write(new byte[(int) (layout.dataOffset() - layout.header().length)]);
            raf.setLength(length);
            long last = DATA_OFFSET + 3 * TENSOR_BYTES;
            raf.seek(last);
            raf.write(HEAD_MARK);
            if (last + TENSOR_BYTES <= length) {
                raf.seek(last + TENSOR_BYTES - TAIL_MARK.length);
                raf.write(TAIL_MARK);
            }
        }
        assertEquals(length, Files.size(file));
        return file;
    }

    @Test
    void tensorsPast4GiBAreReadAndMapped(@TempDir Path dir) throws Exception {
        Path file = sparseFile(dir, FILE_SIZE);
        try (GgufFile f = GgufReader.open(file)) {
            assertEquals(FILE_SIZE, f.fileSize());
            assertEquals(DATA_OFFSET, f.dataOffset());
            assertEquals(List.of(0L, 1_610_612_736L, 3_221_225_472L, 4_831_838_208L), f.tensors().stream().map(TensorInfo::offset).toList());
            assertTrue(f.tensors().stream().allMatch(t -> t.bytes() == TENSOR_BYTES && t.elements() == 805_306_368L));
            assertEquals(List.of(), f.warnings());
            TensorInfo last = f.tensors().get(3);
            MemorySegment data = f.tensorData(last);
            assertEquals(TENSOR_BYTES, data.byteSize());
            assertArrayEquals(HEAD_MARK, data.asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(TAIL_MARK, data.asSlice(TENSOR_BYTES - 4, 4).toArray(ValueLayout.JAVA_BYTE));
            // The bytes before the head mark are the (sparse, zero) end of t2.
            assertEquals(0, f.tensorData(f.tensors().get(2)).get(ValueLayout.JAVA_BYTE, TENSOR_BYTES - 1));
        }
    }

    /** One byte short: the last tensor (record at 69 + 3 x 42 = 195, its offset field at 195 + 34 = 229) lies outside. */
    @Test
    void aFileOneByteShortNamesTheLastTensor(@TempDir Path dir) throws Exception {
        Path file = sparseFile(dir, FILE_SIZE - 1);
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufReader.open(file).close());
        assertEquals("tensor 't3': its 1610612736 bytes of data at offset 4831838208 of the data section (file bytes"
                + " 4831838464 to 6442451200) lie outside the file (6442451199 bytes) (at byte 229)", e.getMessage());
        assertEquals(229, e.offset());
    }
}
