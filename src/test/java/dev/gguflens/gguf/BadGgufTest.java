package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gguflens.testing.TestFiles;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every crafted bad file is refused with one clear line naming the problem and its byte offset. */
class BadGgufTest {

    static List<BadGguf.Case> cases() {
        return BadGguf.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithTheRightMessageAndOffset(BadGguf.Case c, @TempDir Path tmp) throws Exception {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufReader.read(c.bytes()));
        assertTrue(e.getMessage().contains(c.fragment()), () -> "message '" + e.getMessage() + "' lacks '" + c.fragment() + "'");
        assertEquals(c.offset(), e.offset(), () -> "offset of: " + e.getMessage());
        assertOneLine(e);
        assertTrue(e.getMessage().endsWith(" (at byte " + c.offset() + ")"), e.getMessage());

        // The same bytes through the file mapping give the same answer.
        Path file = tmp.resolve("bad.gguf");
        Files.write(file, c.bytes());
        GgufFormatException mapped = assertThrows(GgufFormatException.class, () -> GgufReader.open(file).close());
        assertEquals(e.getMessage(), mapped.getMessage());
    }

    /** Absurd counts and lengths are refused from the header alone: no allocation grows with the claimed size. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithoutALargeAllocation(BadGguf.Case c) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM cannot count allocated bytes");
        assertThrows(GgufFormatException.class, () -> GgufReader.read(c.bytes())); // warm up: class loading allocates
        long before = threads.getCurrentThreadAllocatedBytes();
        assertThrows(GgufFormatException.class, () -> GgufReader.read(c.bytes()));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 256 * 1024, c.name() + ": the refusal allocated " + allocated + " bytes");
    }

    @Test
    void theSmallFixtureIsValidAndEndsWithItsLastTensor() throws Exception {
        byte[] file = Fixtures.smallFile();
        try (GgufFile f = GgufReader.read(file)) {
            // Tensors of 20, 102 and 64 bytes at 0, 32 and 160: the data ends at 224, a multiple of 32.
            assertEquals(List.of(0L, 32L, 160L), f.tensors().stream().map(TensorInfo::offset).toList());
            assertEquals(f.dataOffset() + 224, file.length);
            assertEquals(List.of("key 'arr.nested' holds nested arrays: llama.cpp refuses them"), f.warnings());
        }
    }

    /**
     * ggml compares keys and tensor names as bytes: 0xFF and 0xFE are different keys, although both decode
     * to U+FFFD as UTF-8. Only byte-equal keys are duplicates.
     */
    @Test
    void keysAndNamesAreComparedAsStoredBytes() throws Exception {
        byte[] bytes = GgufBytes.v3(2, 2)
                .u64(1).raw((byte) 0xFF).u32(GgufBytes.UINT32).u32(1)
                .u64(1).raw((byte) 0xFE).u32(GgufBytes.UINT32).u32(2)
                .u64(1).raw((byte) 0xFF).u32(1).u64(8).u32(GgufBytes.F32).u64(0)
                .u64(1).raw((byte) 0xFE).u32(1).u64(8).u32(GgufBytes.F32).u64(32)
                .padTo(32).zeros(64).toBytes();
        try (GgufFile f = GgufReader.read(bytes)) {
            assertEquals(2, f.metadata().size());
            assertEquals(2, f.tensors().size());
        }
        // The same key twice is still refused, quoted byte by byte: the second record is at 24 + 17 = 41.
        byte[] twice = GgufBytes.v3(0, 2).u64(1).raw((byte) 0xFF).u32(GgufBytes.UINT32).u32(1)
                .u64(1).raw((byte) 0xFF).u32(GgufBytes.UINT32).u32(2).toBytes();
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufReader.read(twice));
        assertEquals("duplicate key '\\xff': metadata entries 0 and 1 (at byte 41)", e.getMessage());
    }

    /** Cutting a file anywhere gives the format error, whatever field the cut falls in. */
    @Test
    void everyPrefixOfASmallFileIsAFormatError() {
        byte[] file = Fixtures.smallFile();
        for (int n = 0; n < file.length; n++) {
            assertPrefixRefused(file, n, "small fixture");
        }
    }

    /**
     * The same for a llama.cpp-written file: every cut in its first kilobyte, then every 13th byte of the
     * header (the fields repeat: 512 tokens, 21 tensor infos), and one byte short of each tensor's end.
     */
    @Test
    void prefixesOfALlamaCppFileAreFormatErrors() throws Exception {
        byte[] file = Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16.gguf"));
        long dataOffset;
        List<TensorInfo> tensors;
        try (GgufFile f = GgufReader.read(file)) {
            dataOffset = f.dataOffset();
            tensors = f.tensors();
        }
        for (int n = 0; n <= dataOffset + 64; n += n < 1024 ? 1 : 13) {
            assertPrefixRefused(file, n, "tiny-gqa-f16.gguf");
        }
        for (TensorInfo t : tensors) {
            // One byte short of each tensor's end: that tensor lies outside the file.
            int end = Math.toIntExact(dataOffset + t.offset() + t.bytes());
            GgufFormatException e = assertPrefixRefused(file, end - 1, "tiny-gqa-f16.gguf");
            assertTrue(e.getMessage().startsWith("tensor '" + t.name() + "'"), e.getMessage());
        }
    }

    private static GgufFormatException assertPrefixRefused(byte[] file, int n, String what) {
        byte[] prefix = Arrays.copyOf(file, n);
        try {
            GgufReader.read(prefix).close();
            return fail(what + ": the first " + n + " bytes of " + file.length + " were accepted");
        } catch (GgufFormatException e) {
            assertOneLine(e);
            assertTrue(e.offset() >= 0 && e.offset() <= n, what + " cut at " + n + ": offset " + e.offset() + " for " + e.getMessage());
            return e;
        }
    }

    /** One line a terminal can print safely: no line breaks, no control characters. */
    static void assertOneLine(GgufFormatException e) {
        String m = e.getMessage();
        assertTrue(m.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7F), () -> "control character in: " + m);
        assertTrue(m.length() < 400, () -> "message of " + m.length() + " characters: " + m);
    }
}
