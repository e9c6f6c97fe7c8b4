package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.SplitSets;
import dev.gguflens.testing.TestFiles;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GgufFile#copyTensorBytes}: positional reads give the bytes of the mapping, in one file and in a split model. */
class TensorBytesReadTest {
    private static final Path F16 = TestFiles.testdata("tiny-gqa-f16.gguf");

    /** The tensor's bytes {@code from..from+len} as the file holds them, read independently of the reader. */
    private static byte[] fileBytes(Path file, long at, int len) throws Exception {
        byte[] b = new byte[len];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(at);
            f.readFully(b);
        }
        return b;
    }

    @Test
    void readsEachTensorsBytesAtAnyOffset() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            int checked = 0;
            for (TensorInfo t : f.tensors()) {
                int len = (int) Math.min(t.bytes(), 3000);
                long from = t.bytes() - len; // the tail: offsets within the tensor count
                byte[] read = new byte[len + 4];
                f.copyTensorBytes(t, from, read, 4, len);
                byte[] expected = fileBytes(F16, f.dataOffset() + t.offset() + from, len);
                assertArrayEquals(expected, Arrays.copyOfRange(read, 4, len + 4), t.name());
                assertArrayEquals(f.tensorData(t).asSlice(from, len).toArray(ValueLayout.JAVA_BYTE),
                        Arrays.copyOfRange(read, 4, len + 4), t.name() + ": as the mapping");
                checked++;
            }
            assertEquals(21, checked);
            TensorInfo first = f.tensors().getFirst();
            assertThrows(IndexOutOfBoundsException.class, () -> f.copyTensorBytes(first, first.bytes() - 1, new byte[2], 0, 2));
        }
    }

    @Test
    void readsEachPartOfASplitModelFromItsOwnFile(@TempDir Path tmp) throws Exception {
        List<Path> parts = SplitSets.write(F16, tmp, "m", 7, 7, 7);
        try (GgufFile whole = GgufReader.open(F16); GgufFile split = SplitModel.open(parts.get(1))) {
            assertEquals(whole.tensors().size(), split.tensors().size());
            for (int i = 0; i < whole.tensors().size(); i++) {
                TensorInfo a = whole.tensors().get(i);
                TensorInfo b = split.tensors().get(i);
                byte[] x = new byte[(int) a.bytes()];
                byte[] y = new byte[(int) b.bytes()];
                whole.copyTensorBytes(a, 0, x, 0, x.length);
                split.copyTensorBytes(b, 0, y, 0, y.length);
                assertArrayEquals(x, y, a.name());
            }
        }
    }

    @Test
    void aFileCutShortAfterOpeningIsAnIoErrorNamingTheFile(@TempDir Path tmp) throws Exception {
        Path copy = Files.copy(F16, tmp.resolve("m.gguf"));
        try (GgufFile f = GgufReader.open(copy)) {
            TensorInfo last = f.tensors().getLast();
            try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
                raf.setLength(f.dataOffset() + last.offset() + 10);
            }
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> f.copyTensorBytes(last, 0, new byte[100], 0, 100));
            assertTrue(e.getCause().getMessage().contains("m.gguf ended at byte " + (f.dataOffset() + last.offset() + 10)),
                    e.getCause().getMessage());
        }
    }
}
