package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.TestFiles;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A header read from a stream, a little at a time (as from an archive), is the header read from the whole
 * file: the same keys, values and tensors, and for a bad file the same message at the same offset, whether
 * the container states the size or not, however small the first read.
 */
class StreamedHeaderTest {
    private static final int[] FIRST_READS = {4, 7, 64, 1000};

    /** The bytes as a stream; {@code sized}: whether the container states their size. */
    private static GgufStream stream(byte[] bytes, boolean sized) {
        return new GgufStream() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return sized ? bytes.length : -1;
            }

            @Override
            public String member() {
                return "model.gguf";
            }

            @Override
            public String format() {
                return "test";
            }
        };
    }

    static List<BadGguf.Case> cases() {
        return BadGguf.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadFileGivesTheSameMessageAsFromMemory(BadGguf.Case c) throws Exception {
        String want = assertThrows(GgufFormatException.class, () -> GgufReader.read(c.bytes())).getMessage();
        for (int first : FIRST_READS) {
            for (boolean sized : new boolean[] {true, false}) {
                if (!sized && want.contains(" lie outside the file (")) {
                    // Without a stated size, a header read before the stream ends cannot tell where the file ends:
                    // only data no file can hold is refused then; the rest is found when --error reads the data
                    // (ArchiveInputTest). Once the stream has ended (a first read past the end), its size is known.
                    try (GgufFile f = GgufReader.readStreamed(null, stream(c.bytes(), false), first)) {
                        assertTrue(first < c.bytes().length, "accepted although the whole file was read");
                    } catch (GgufFormatException e) {
                        assertTrue(e.getMessage().equals(want)
                                || e.getMessage().contains("lie outside the file (a stream of unstated size, which no file reaches)"),
                                e.getMessage());
                    }
                    continue;
                }
                GgufFormatException e = assertThrows(GgufFormatException.class,
                        () -> GgufReader.readStreamed(null, stream(c.bytes(), sized), first).close());
                assertEquals(want, e.getMessage(), "first read " + first + ", sized " + sized);
            }
        }
    }

    @Test
    void everyTruncationGivesTheSameAnswerAsFromMemory() throws Exception {
        byte[] whole = Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"));
        int checked = 0;
        for (int length = 0; length < 14_000; length += 37) {
            byte[] cut = Arrays.copyOf(whole, length);
            String want = assertThrows(GgufFormatException.class, () -> GgufReader.read(cut)).getMessage();
            for (boolean sized : new boolean[] {true, false}) {
                GgufFormatException e = assertThrows(GgufFormatException.class,
                        () -> GgufReader.readStreamed(null, stream(cut, sized), 64).close());
                assertEquals(want, e.getMessage(), length + " bytes, sized " + sized);
                checked++;
            }
        }
        assertTrue(checked > 700);
    }

    @Test
    void aValidFileReadsAsFromMemory() throws Exception {
        for (Path p : List.of(TestFiles.testdata("tiny-gqa-f16.gguf"), TestFiles.testdata("imatrix-tiny-gqa.gguf"))) {
            byte[] bytes = Files.readAllBytes(p);
            for (int first : FIRST_READS) {
                for (boolean sized : new boolean[] {true, false}) {
                    try (GgufFile want = GgufReader.read(bytes);
                         GgufFile got = GgufReader.readStreamed(p, stream(bytes, sized), first)) {
                        assertEquals(want.metadata().size(), got.metadata().size());
                        for (int i = 0; i < want.metadata().size(); i++) {
                            MetadataEntry w = want.metadata().get(i);
                            MetadataEntry g = got.metadata().get(i);
                            assertEquals(w.key(), g.key());
                            assertEquals(w.offset(), g.offset());
                            assertEquals(w.value(), g.value(), w.key());
                        }
                        assertEquals(want.tensors(), got.tensors());
                        assertEquals(want.dataOffset(), got.dataOffset());
                        // ggml's files end with the last tensor's padding: the size the header lays out.
                        assertEquals(bytes.length, got.fileSize());
                        assertTrue(got.stream().isPresent());
                    }
                }
            }
        }
    }
}
