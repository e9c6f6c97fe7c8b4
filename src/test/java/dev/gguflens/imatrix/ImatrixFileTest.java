package dev.gguflens.imatrix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.ImatrixFiles;
import dev.gguflens.testing.ImatrixFiles.Entry;
import dev.gguflens.testing.TestFiles;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Importance matrices read as llama-quantize reads them (quantizers-imatrix.md §1.2, §1.3), and bad ones refused in one line. */
class ImatrixFileTest {
    @TempDir
    Path dir;

    @Test
    void theShippedImatrixHoldsItsSumsOverACountOfOne() throws Exception {
        Path p = TestFiles.testdata("imatrix-tiny-gqa.gguf");
        ImatrixFile m = ImatrixFile.read(p);
        assertEquals(ImatrixFormat.GGUF, m.format());
        assertEquals(15, m.entriesCount());
        assertEquals(List.of("synthetic-seeded"), m.datasets());
        assertEquals(1, m.chunkCount());
        assertEquals(512, m.chunkSize());
        assertNull(m.nonFiniteValue());
        // The oracle README: counts are 1.0, so every value is in_sum2 itself, bit for bit.
        try (GgufFile f = GgufReader.open(p)) {
            TensorInfo sums = f.tensors().stream().filter(t -> t.name().equals("blk.1.ffn_down.weight.in_sum2")).findFirst().orElseThrow();
            float[] raw = f.tensorData(sums).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
            ImatrixEntry e = m.entry("blk.1.ffn_down.weight").orElseThrow();
            assertArrayEquals(raw, e.values());
            assertEquals(512, e.rowLength());
            assertEquals(1, e.slices());
            assertEquals(0, e.zeroCountSlices());
        }
        assertFalse(m.entries().containsKey("token_embd.weight"), "llama-imatrix never collects token_embd");
    }

    @Test
    void expertSlicesAreDividedByTheirOwnCountsAndAnUnseenExpertWeighsOne() throws Exception {
        Map<String, Entry> entries = new LinkedHashMap<>();
        // 3 experts of 4 columns: counts 4, 0, 0.5.
        entries.put("blk.0.ffn_up_exps.weight", new Entry(new float[] {4, 8, 12, 16, 9, 9, 9, 9, 1, 2, 3, 0}, new float[] {4, 0, 0.5f}));
        ImatrixFile m = ImatrixFile.read(ImatrixFiles.gguf(dir.resolve("moe.gguf"), entries));
        ImatrixEntry e = m.entry("blk.0.ffn_up_exps.weight").orElseThrow();
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 1, 1, 1, 2, 4, 6, 0}, e.values());
        assertEquals(4, e.rowLength());
        assertEquals(3, e.slices());
        assertEquals(1, e.zeroCountSlices());
        assertEquals(0f, e.min());
        assertEquals(6f, e.max());
        assertEquals(12L, m.entrySizes().get("blk.0.ffn_up_exps.weight"));
    }

    @Test
    void theValueIsOneFloatDivisionPerValue() throws Exception {
        // 1/3 in f32 is not the double quotient rounded twice: the division must be in float.
        ImatrixFile m = ImatrixFile.read(ImatrixFiles.gguf(dir.resolve("div.gguf"),
                Map.of("w", new Entry(new float[] {1, 0.1f}, new float[] {3}))));
        assertArrayEquals(new float[] {1f / 3f, 0.1f / 3f}, m.entry("w").orElseThrow().values());
    }

    @Test
    void aLegacyFileDividesByNcallAndReadsItsDatasetAtTheEnd() throws Exception {
        Map<String, float[]> stored = new LinkedHashMap<>();
        stored.put("blk.0.attn_q.weight", new float[] {10, 20, 30, 40});
        stored.put("output.weight", new float[] {5, 15});
        Path p = ImatrixFiles.legacy(dir.resolve("old.dat"), stored, 10, 7, "wiki.train.raw");
        ImatrixFile m = ImatrixFile.read(p);
        assertEquals(ImatrixFormat.LEGACY, m.format());
        assertEquals(2, m.entriesCount());
        assertArrayEquals(new float[] {1, 2, 3, 4}, m.entry("blk.0.attn_q.weight").orElseThrow().values());
        assertArrayEquals(new float[] {0.5f, 1.5f}, m.entry("output.weight").orElseThrow().values());
        assertEquals(List.of("wiki.train.raw"), m.datasets());
        assertEquals(7, m.chunkCount());
        assertEquals(-1, m.chunkSize());
    }

    @Test
    void aLegacyFileWithoutCallsOrDatasetKeepsItsValues() throws Exception {
        Path p = ImatrixFiles.legacy(dir.resolve("plain.dat"), Map.of("w", new float[] {3, 5}), 0, null, null);
        ImatrixFile m = ImatrixFile.read(p);
        assertArrayEquals(new float[] {3, 5}, m.entry("w").orElseThrow().values());
        assertEquals(List.of(), m.datasets());
        assertEquals(0, m.chunkCount());
    }

    @Test
    void aLegacyNameEndsAtItsFirstNul() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImatrixFiles.int32(b, 1);
        ImatrixFiles.int32(b, 4);
        b.write(new byte[] {'a', 'b', 0, 'z'});
        ImatrixFiles.int32(b, 1);
        ImatrixFiles.int32(b, 1);
        ImatrixFiles.int32(b, Float.floatToRawIntBits(2f));
        Path p = Files.write(dir.resolve("nul.dat"), b.toByteArray());
        assertEquals(List.of("ab"), List.copyOf(ImatrixFile.read(p).entries().keySet()));
    }

    @Test
    void aNonFiniteValueIsFoundAsPrintfPrintsIt() throws Exception {
        ImatrixFile m = ImatrixFile.read(ImatrixFiles.gguf(dir.resolve("nan.gguf"),
                Map.of("w", Entry.of(1, Float.NaN, 2))));
        assertEquals("nan", m.nonFiniteValue());
        ImatrixFile inf = ImatrixFile.read(ImatrixFiles.legacy(dir.resolve("inf.dat"), Map.of("w", new float[] {-1e38f}), 0, null, null));
        assertNull(inf.nonFiniteValue());
        // -3e38 / 0.5 overflows to -inf in float, as in C.
        ImatrixFile overflow = ImatrixFile.read(ImatrixFiles.gguf(dir.resolve("ovf.gguf"),
                Map.of("w", new Entry(new float[] {-3e38f, 1}, new float[] {0.5f}))));
        assertEquals("-inf", overflow.nonFiniteValue());
    }

    // --- bad files: one line naming the file, the problem and where ---

    @Test
    void aLegacyEntryLongerThanTheFileIsRefused() throws Exception {
        Path p = ImatrixFiles.legacy(dir.resolve("bad.dat"), Map.of("blk.0.attn_k.weight", new float[] {1, 2, 3, 4}), 1, null, null);
        byte[] b = Files.readAllBytes(p);
        // nval sits after n_entries, len, the 19-byte name and ncall: claim 1,000,000 values.
        int at = 4 + 4 + 19 + 4;
        b[at] = 0x40;
        b[at + 1] = 0x42;
        b[at + 2] = 0x0f;
        Files.write(p, b);
        String msg = oneLine(p);
        assertTrue(msg.contains("entry 1 (blk.0.attn_k.weight) has 1000000 values, but 4 are left in the file"), msg);
        assertTrue(msg.contains("(at byte 31)"), msg);
    }

    @Test
    void aLegacyFileCutInANameIsRefused() throws Exception {
        Path p = ImatrixFiles.legacy(dir.resolve("cut.dat"), Map.of("blk.0.attn_k.weight", new float[] {1}), 1, null, null);
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, 12));
        assertTrue(oneLine(p).contains("cannot read the name of entry 1 of 1 (19 bytes, 4 left in the file)"), oneLine(p));
    }

    @Test
    void aFileThatIsNeitherIsRefusedAsNoImatrix() throws Exception {
        Path p = Files.write(dir.resolve("zero.dat"), new byte[] {0, 0, 0, 0, 1, 2, 3});
        assertTrue(oneLine(p).contains("legacy imatrix: no data (0 entries)"), oneLine(p));
        Path tiny = Files.write(dir.resolve("tiny.dat"), new byte[] {1});
        assertTrue(oneLine(tiny).contains("too short for a legacy imatrix (1 bytes)"), oneLine(tiny));
    }

    @Test
    void aLegacyDatasetCutShortIsRefused() throws Exception {
        Path p = ImatrixFiles.legacy(dir.resolve("ds.dat"), Map.of("w", new float[] {1}), 1, 3, "dataset-name");
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 5));
        assertTrue(oneLine(p).contains("the dataset name is 12 bytes, but 7 are left in the file"), oneLine(p));
    }

    @Test
    void sumsWithoutCountsAreMismatched() throws Exception {
        Path p = ImatrixFiles.gguf(dir.resolve("mismatch.gguf"), Map.of("blk.0.attn_q.weight", Entry.of(1, 2)));
        // Rename the counts tensor in place (same length), so only the sums remain paired by name.
        byte[] b = Files.readAllBytes(p);
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1).replace("blk.0.attn_q.weight.counts", "blk.0.attn_q.weight.countz");
        Files.write(p, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertTrue(oneLine(p).contains("mismatched sums and counts for blk.0.attn_q.weight (no blk.0.attn_q.weight.counts)"), oneLine(p));
    }

    @Test
    void tensorsOfAnotherTypeThanF32AreRefused() throws Exception {
        Path p = ImatrixFiles.gguf(dir.resolve("f16.gguf"), ImatrixFiles.metadata("d", 1), Map.of("w", Entry.of(1, 2)), GgmlType.F16);
        assertTrue(oneLine(p).contains("imatrix tensor 'w.counts' must be F32 but is F16")
                || oneLine(p).contains("imatrix tensor 'w.in_sum2' must be F32 but is F16"), oneLine(p));
    }

    @Test
    void aTruncatedGgufImatrixIsRefusedWithItsOffset() throws Exception {
        Path p = ImatrixFiles.gguf(dir.resolve("trunc.gguf"), Map.of("w", Entry.of(1, 2, 3, 4)));
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length / 2));
        String msg = oneLine(p);
        assertTrue(msg.startsWith("imatrix file " + p + ": "), msg);
        assertTrue(msg.contains("at byte"), msg);
    }

    @Test
    void missingMetadataIsRefusedAsLlamaQuantizeDoes() throws Exception {
        Path p = ImatrixFiles.gguf(dir.resolve("nokeys.gguf"), List.of(), Map.of("w", Entry.of(1)), GgmlType.F32);
        assertTrue(oneLine(p).contains("missing imatrix metadata: no key 'imatrix.datasets'"), oneLine(p));
    }

    private static String oneLine(Path p) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> ImatrixFile.read(p));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }
}
