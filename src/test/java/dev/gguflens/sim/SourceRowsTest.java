package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.testing.TestFiles;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading a tensor's values: a prefetched range decodes as the file does, piece by piece. */
class SourceRowsTest {

    /**
     * For every tensor of an F16 model and of its Q4_K_M file (F32, F16, Q4_K and Q6_K sources): a range that starts
     * past the tensor's first piece, prefetched once and decoded piece by piece, gives the bits that decoding each
     * piece from the file gives.
     */
    @Test
    void prefetchedRangesDecodeAsTheFileDoes() throws Exception {
        Set<GgmlType> seen = new HashSet<>();
        for (String name : new String[] {"tiny-gqa-f16.gguf", "tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"}) {
            Path path = TestFiles.testdata(name);
            try (GgufFile f = GgufReader.open(path)) {
                for (TensorInfo t : f.tensors()) {
                    if (!SourceRows.decodable(f, t)) {
                        continue;
                    }
                    seen.add(t.type());
                    // pieces of a row, or (a norm's single row) of a quarter of it
                    int block = t.type().blockSize();
                    int row = Math.toIntExact(t.rows() >= 3 ? t.rowLength() : t.elements() / 4 / block * block);
                    SourceRows rows = SourceRows.of(f, t);
                    SourceRows.Buffers buffers = new SourceRows.Buffers();
                    // pieces 1 and 2, prefetched together, then decoded one at a time
                    SourceRows window = rows.prefetch(row, 2 * row, buffers);
                    for (int r = 1; r <= 2; r++) {
                        float[] direct = new float[row];
                        rows.decode((long) r * row, row, direct, 0, new SourceRows.Buffers());
                        float[] fromWindow = new float[row + 3];
                        window.decode((long) r * row, row, fromWindow, 3, buffers);
                        for (int i = 0; i < row; i++) {
                            assertEquals(Float.floatToRawIntBits(direct[i]), Float.floatToRawIntBits(fromWindow[3 + i]),
                                    name + " " + t.name() + " piece " + r + " value " + i);
                        }
                    }
                }
            }
        }
        assertEquals(Set.of(GgmlType.F32, GgmlType.F16, GgmlType.Q4_K, GgmlType.Q6_K), seen);
    }

    /** Values already in memory (a chunk read from a stream) are not copied again. */
    @Test
    void valuesInMemoryNeedNoPrefetch() throws Exception {
        try (GgufFile f = GgufReader.open(TestFiles.testdata("tiny-gqa-f16.gguf"))) {
            TensorInfo t = f.tensors().stream().filter(x -> x.type().equals(GgmlType.F16)).findFirst().orElseThrow();
            SourceRows chunk = SourceRows.ofChunk(f, t, MemorySegment.ofArray(new byte[Math.toIntExact(t.bytes())]), 0);
            assertSame(chunk, chunk.prefetch(0, Math.toIntExact(t.rowLength()), new SourceRows.Buffers()));
        }
    }
}
