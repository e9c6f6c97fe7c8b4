package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.SplitSets;
import dev.gguflens.testing.TestFiles;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicReference;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GgufFile#readTensorBytes}: positional reads give the bytes of the mapping, in one file and in a split model. */
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

    /** Bytes {@code from..from+len} of {@code t} read through {@link GgufFile#readTensorBytes}, into a direct or a heap buffer. */
    private static byte[] read(GgufFile f, TensorInfo t, long from, int len, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(len + 4) : ByteBuffer.allocate(len + 4);
        buf.position(4);
        f.readTensorBytes(t, from, buf);
        assertEquals(len + 4, buf.position(), "the buffer is filled to its limit");
        byte[] out = new byte[len];
        buf.get(4, out);
        return out;
    }

    @Test
    void readsEachTensorsBytesAtAnyOffset() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            int checked = 0;
            for (TensorInfo t : f.tensors()) {
                int len = (int) Math.min(t.bytes(), 3000);
                long from = t.bytes() - len; // the tail: offsets within the tensor count
                byte[] expected = fileBytes(F16, f.dataOffset() + t.offset() + from, len);
                assertArrayEquals(expected, read(f, t, from, len, true), t.name());
                assertArrayEquals(expected, read(f, t, from, len, false), t.name() + ": into a heap buffer");
                assertArrayEquals(f.tensorData(t).asSlice(from, len).toArray(ValueLayout.JAVA_BYTE), expected, t.name() + ": as the mapping");
                checked++;
            }
            assertEquals(21, checked);
            TensorInfo first = f.tensors().getFirst();
            assertThrows(IndexOutOfBoundsException.class, () -> f.readTensorBytes(first, first.bytes() - 1, ByteBuffer.allocate(2)));
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
                assertArrayEquals(read(whole, a, 0, (int) a.bytes(), true), read(split, b, 0, (int) b.bytes(), true), a.name());
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
                    () -> f.readTensorBytes(last, 0, ByteBuffer.allocateDirect(100)));
            assertTrue(e.getCause().getMessage().contains("m.gguf ended at byte " + (f.dataOffset() + last.offset() + 10)),
                    e.getCause().getMessage());
        }
    }

    @Test
    void anInterruptedReaderFailsAloneAndTheNextReadsReopenTheFile() throws Exception {
        try (GgufFile f = GgufReader.open(F16)) {
            TensorInfo t = f.tensors().getLast();
            int len = (int) Math.min(t.bytes(), 512);
            byte[] expected = fileBytes(F16, f.dataOffset() + t.offset(), len);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Thread reader = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    read(f, t, 0, len, true);
                } catch (Throwable e) {
                    seen.set(e);
                }
            });
            reader.start();
            reader.join();
            assertTrue(seen.get() instanceof UncheckedIOException u && u.getCause() instanceof ClosedByInterruptException,
                    "the interrupted thread's own read fails: " + seen.get());
            // the channel that interrupt closed is opened again for everyone else
            assertArrayEquals(expected, read(f, t, 0, len, true));
            assertArrayEquals(expected, read(f, t, 0, len, false));
        }
    }

    @Test
    void aClosedFileIsNotReopened() throws Exception {
        GgufFile f = GgufReader.open(F16);
        TensorInfo t = f.tensors().getFirst();
        f.close();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> f.readTensorBytes(t, 0, ByteBuffer.allocateDirect(16)));
        assertTrue(e.getCause() instanceof ClosedChannelException, e.toString());
    }
}
