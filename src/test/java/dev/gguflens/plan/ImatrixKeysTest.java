package dev.gguflens.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufFormatException;
import dev.gguflens.gguf.GgufWriter;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.TestFiles;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --imatrix FILE}: the file as llama-quantize reads it, the four {@code quantize.imatrix.*} keys
 * it adds (and the header bytes they take), and the entry checks of the write pass.
 */
class ImatrixKeysTest {
    private static final String GIVEN = "files/imatrix-tiny-gqa.gguf";

    @TempDir
    Path dir;

    private static ImatrixFile oracleImatrix() throws Exception {
        return ImatrixFile.read(TestFiles.oracle(GIVEN), GIVEN);
    }

    @Test
    void readsTheOracleImatrixAsLlamaQuantizeDoes() throws Exception {
        ImatrixFile m = oracleImatrix();
        // The oracle README: 15 entries (every 2-D weight but token_embd), one dataset, chunk count 1.
        assertEquals(15, m.entriesCount());
        assertEquals(List.of("synthetic-seeded"), m.datasets());
        assertEquals(1, m.chunkCount());
        assertNull(m.nonFiniteValue());
        assertEquals(256L, m.entrySizes().get("output.weight"));
        assertEquals(512L, m.entrySizes().get("blk.0.ffn_down.weight"));
        assertEquals(GIVEN, m.name());
    }

    @Test
    void theFourKeysGrowTheHeaderByExactlyTheirBytesThenThePadding() throws Exception {
        QuantizeOptions o = QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M);
        Plan withFile;
        Plan assumed;
        GgufWriter.Layout layout;
        try (GgufFile source = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            withFile = Planner.plan(source, o.withImatrix(new ImatrixMode.FromFile(oracleImatrix())));
            assumed = Planner.plan(source, o.withImatrix(ImatrixMode.ASSUMED));
            // Laying the planned file out for real (while the source, whose arrays the metadata shares, is open).
            layout = GgufWriter.layout(withFile.metadata(), withFile.tensors().stream()
                    .map(t -> new GgufWriter.TensorSpec(t.name(), t.shape(), t.targetType())).toList(), 32, ByteOrder.LITTLE_ENDIAN);
        }
        long base;
        long baseData;
        long baseSize;
        try (GgufFile llamaCpp = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            base = llamaCpp.headerEnd();
            baseData = llamaCpp.dataOffset();
            baseSize = llamaCpp.fileSize();
        }
        // Without the keys the header is llama.cpp's own.
        assertEquals(base, assumed.headerBytes());
        assertEquals(baseSize, assumed.fileBytes());
        // One KV = 8 (key length) + key + 4 (type) + value; a string value is 8 + its bytes, a u32 4.
        long added = (8 + "quantize.imatrix.file".length() + 4 + 8 + GIVEN.length())            // 68
                + (8 + "quantize.imatrix.dataset".length() + 4 + 8 + "synthetic-seeded".length()) // 60
                + (8 + "quantize.imatrix.entries_count".length() + 4 + 4)                      // 46
                + (8 + "quantize.imatrix.chunks_count".length() + 4 + 4);                      // 45
        assertEquals(219, added);
        assertEquals(base + added, withFile.headerBytes());
        long dataOffset = (base + added + 31) / 32 * 32;
        assertEquals(dataOffset, withFile.dataOffset());
        assertEquals(baseSize - baseData + dataOffset, withFile.fileBytes());

        List<MetadataEntry> md = withFile.metadata();
        List<MetadataEntry> last = md.subList(md.size() - 4, md.size());
        assertEquals(new MetadataEntry("quantize.imatrix.file", GgufValue.Str.of(GIVEN)), last.get(0));
        assertEquals(new MetadataEntry("quantize.imatrix.dataset", GgufValue.Str.of("synthetic-seeded")), last.get(1));
        assertEquals(new MetadataEntry("quantize.imatrix.entries_count", GgufValue.Int.u32(15)), last.get(2));
        assertEquals(new MetadataEntry("quantize.imatrix.chunks_count", GgufValue.Int.u32(1)), last.get(3));
        assertEquals("general.file_type", md.get(md.size() - 5).key());

        // The plan's sizes are the writer's: the real layout of the planned file gives the same numbers.
        assertEquals(withFile.headerBytes(), layout.header().length);
        assertEquals(withFile.fileBytes(), layout.fileSize());
    }

    @Test
    void everyImatrixRunMatchesTheOracleWithTheKeysAdded() throws Exception {
        long base;
        try (GgufFile llamaCpp = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))) {
            base = llamaCpp.headerEnd();
        }
        long shift = (base + 219 + 31) / 32 * 32 - (base + 31) / 32 * 32;
        Map<Integer, String[]> oracle = new LinkedHashMap<>();
        for (String[] row : OracleRuns.rows("expected-sizes.tsv")) {
            if (row[0].equals("imatrix") && row[2].equals("F16")) {
                oracle.put(Integer.parseInt(row[4]), row);
            }
        }
        List<Plan> plans;
        try (GgufFile source = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            plans = Planner.planAll(source, QuantizeOptions.of(LlamaFileType.MOSTLY_F16).withImatrix(new ImatrixMode.FromFile(oracleImatrix())));
        }
        assertEquals(oracle.size(), plans.size());
        for (Plan p : plans) {
            String[] row = oracle.get(p.ftype().id());
            assertEquals(row[6], p.ok() ? "ok" : "failed", p.ftype() + ": " + p.message());
            if (p.ok()) {
                assertEquals(Long.parseLong(row[8]) + shift, p.fileBytes(), p.ftype().toString());
            }
        }
    }

    @Test
    void theFileNameIsCutTo127Bytes() throws Exception {
        String longName = "d/".repeat(100) + "imatrix.gguf";
        ImatrixFile m = ImatrixFile.read(TestFiles.oracle(GIVEN), longName);
        Plan p;
        try (GgufFile source = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            p = Planner.plan(source, QuantizeOptions.of(LlamaFileType.MOSTLY_Q8_0).withImatrix(new ImatrixMode.FromFile(m)));
        }
        MetadataEntry file = p.metadata().stream().filter(e -> e.key().equals("quantize.imatrix.file")).findFirst().orElseThrow();
        assertEquals(GgufValue.Str.of(longName.substring(0, 127)), file.value());
    }

    @Test
    void aTensorThatNeedsAnImatrixButHasNoEntryFailsTheWrite() throws Exception {
        ImatrixFile full = oracleImatrix();
        Map<String, float[]> entries = new LinkedHashMap<>();
        full.entrySizes().forEach((name, size) -> {
            if (!name.equals("blk.1.ffn_down.weight")) {
                entries.put(name, new float[Math.toIntExact(size)]);
            }
        });
        ImatrixFile partial = ImatrixFile.read(writeImatrix(entries));
        assertEquals(14, partial.entriesCount());
        Plan p = planTinyGqa(LlamaFileType.MOSTLY_IQ2_XS, partial);
        // IQ2_XS on 2 layers: ffn_down stays iq2_xs (i_ffn_down < 2/8 = 0 never holds), which requires an imatrix.
        assertEquals("Missing importance matrix for tensor blk.1.ffn_down.weight in a very low-bit quantization", p.message());
    }

    @Test
    void anEntryOfTheWrongSizeFailsTheWriteWhateverTheType() throws Exception {
        Map<String, float[]> entries = new LinkedHashMap<>();
        entries.put("blk.0.attn_q.weight", new float[128]);
        Plan p = planTinyGqa(LlamaFileType.MOSTLY_Q4_K_M, ImatrixFile.read(writeImatrix(entries)));
        assertEquals("imatrix size 128 is different from tensor size 256 for blk.0.attn_q.weight", p.message());
    }

    @Test
    void aNonFiniteValueFailsTheRun() throws Exception {
        float[] sums = new float[256];
        sums[7] = Float.POSITIVE_INFINITY;
        ImatrixFile m = ImatrixFile.read(writeImatrix(Map.of("blk.0.attn_q.weight", sums)));
        assertEquals("inf", m.nonFiniteValue());
        assertEquals("imatrix contains non-finite value inf", planTinyGqa(LlamaFileType.MOSTLY_Q4_K_M, m).message());
    }

    @Test
    void aFileWithoutEntriesIsNoImatrixAndAddsNoKeys() throws Exception {
        Path file = dir.resolve("empty-imatrix.gguf");
        GgufWriter.write(file, GgufWriter.layout(imatrixMetadata(), List.of(new GgufWriter.TensorSpec("unrelated", new long[] {4}, GgmlType.F32))),
                (t, ch) -> ch.write(ByteBuffer.allocate(16)));
        ImatrixFile empty = ImatrixFile.read(file);
        assertEquals(0, empty.entriesCount());
        Plan q4 = planTinyGqa(LlamaFileType.MOSTLY_Q4_K_M, empty);
        assertTrue(q4.metadata().stream().noneMatch(e -> e.key().startsWith("quantize.imatrix")));
        assertEquals("this quantization requires an imatrix! offending tensor: blk.0.attn_k.weight, target type: iq2_xs",
                planTinyGqa(LlamaFileType.MOSTLY_IQ2_XS, empty).message());
    }

    private static List<MetadataEntry> imatrixMetadata() {
        return List.of(
                new MetadataEntry("general.type", GgufValue.Str.of("imatrix")),
                new MetadataEntry("imatrix.datasets", GgufArray.ofStrings(List.of("test"))),
                new MetadataEntry("imatrix.chunk_count", GgufValue.Int.u32(1)),
                new MetadataEntry("imatrix.chunk_size", GgufValue.Int.u32(512)));
    }

    private Plan planTinyGqa(LlamaFileType ftype, ImatrixFile m) throws Exception {
        try (GgufFile source = GgufReader.open(TestFiles.oracle("files/tiny-gqa-f16.gguf"))) {
            return Planner.plan(source, QuantizeOptions.of(ftype).withImatrix(new ImatrixMode.FromFile(m)));
        }
    }

    /** An imatrix in llama.cpp's GGUF format: per weight, its sums (one row) and a count of 1. */
    private Path writeImatrix(Map<String, float[]> entries) throws Exception {
        List<MetadataEntry> md = imatrixMetadata();
        List<GgufWriter.TensorSpec> specs = new ArrayList<>();
        Map<String, float[]> data = new LinkedHashMap<>();
        entries.forEach((name, sums) -> {
            specs.add(new GgufWriter.TensorSpec(name + ".in_sum2", new long[] {sums.length, 1}, GgmlType.F32));
            specs.add(new GgufWriter.TensorSpec(name + ".counts", new long[] {1, 1}, GgmlType.F32));
            data.put(name + ".in_sum2", sums);
            data.put(name + ".counts", new float[] {1});
        });
        Path out = dir.resolve("imatrix.gguf");
        GgufWriter.write(out, GgufWriter.layout(md, specs), (TensorInfo t, WritableByteChannel ch) -> {
            float[] v = data.get(t.name());
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putFloat(f);
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
        });
        return out;
    }

    @Test
    void aFileWithoutImatrixMetadataIsRefusedInOneLine() throws Exception {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> ImatrixFile.read(TestFiles.testdata("tiny-gqa-f16.gguf")));
        assertTrue(e.getMessage().contains("missing imatrix metadata") && !e.getMessage().contains("\n"), e.getMessage());
    }
}
