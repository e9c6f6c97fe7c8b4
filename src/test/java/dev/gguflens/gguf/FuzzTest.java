package dev.gguflens.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.TestFiles;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Mutates the headers of valid files (bit flips, random bytes, huge and small values over counts,
 * lengths and type tags, swapped bytes, copied blocks, truncations) with a fixed seed. Every outcome must
 * be a successful parse, after which everything in the file can be walked, or a one-line
 * {@link GgufFormatException}. Anything else (a RuntimeException, OutOfMemoryError, StackOverflowError)
 * fails the test with the seed, the file and the case number, which replay the same mutations.
 */
class FuzzTest {
    private static final long SEED = 20240517L;
    private static final int CASES_PER_FILE = 700;
    /** Values written over fields: sizes around every limit the reader has (2^30, 2^31, 2^32, 2^63). */
    private static final long[] HUGE = {0, 1, 2, 4, 5, 9, 12, 13, 0x7F, 0xFF, 0xFFFF, 1L << 16, (1L << 30) - 1, 1L << 30,
            (1L << 30) + 1, Integer.MAX_VALUE, 1L << 31, 0xFFFF_FFFFL, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE,
            Long.MIN_VALUE, -1, -2, -8};

    private record Base(String name, byte[] bytes, long dataOffset, long[] fields) {
    }

    @Test
    void mutatedHeadersGiveAParseOrAFormatError() throws Exception {
        List<Base> bases = List.of(
                base("tiny-gqa-f16.gguf", Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16.gguf"))),
                base("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf", Files.readAllBytes(TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf"))),
                base("every value type", Fixtures.smallFile()),
                base("every value type, big-endian", ByteSwapped.of(Fixtures.smallFile())),
                base("GGUF v1", Fixtures.v1File()));
        int parsed = 0;
        int refused = 0;
        for (int b = 0; b < bases.size(); b++) {
            for (int i = 0; i < CASES_PER_FILE; i++) {
                if (runCase(bases.get(b), b, i)) {
                    parsed++;
                } else {
                    refused++;
                }
            }
        }
        // Both outcomes must be common, or the mutations are not reaching the parser.
        int total = bases.size() * CASES_PER_FILE;
        assertTrue(parsed > total / 20 && refused > total / 4, "parsed " + parsed + ", refused " + refused + " of " + total);
    }

    /** One case; its random numbers depend only on the seed, the file and the case number. */
    private static boolean runCase(Base base, int baseIndex, int caseIndex) {
        Random rnd = new Random(SEED * 1_000_003L + baseIndex * 100_003L + caseIndex);
        byte[] bytes = base.bytes;
        List<String> done = new ArrayList<>();
        List<long[]> undo = new ArrayList<>(); // {position, old byte}, restored after the case
        int length = bytes.length;
        try {
            int mutations = 1 + rnd.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                int kind = rnd.nextInt(8);
                int header = (int) Math.min(base.dataOffset, bytes.length);
                int field = (int) base.fields[rnd.nextInt(base.fields.length)];
                switch (kind) {
                    case 0 -> {
                        int p = rnd.nextInt(header);
                        int bit = rnd.nextInt(8);
                        set(bytes, p, bytes[p] ^ (1 << bit), undo);
                        done.add("flip bit " + bit + " of byte " + p);
                    }
                    case 1 -> {
                        int p = rnd.nextInt(header);
                        int v = rnd.nextInt(256);
                        set(bytes, p, v, undo);
                        done.add("byte " + p + " = " + v);
                    }
                    case 2, 3 -> {
                        long v = HUGE[rnd.nextInt(HUGE.length)];
                        int width = rnd.nextBoolean() ? 8 : 4;
                        boolean bigEndian = rnd.nextInt(4) == 0;
                        for (int k = 0; k < width && field + k < bytes.length; k++) {
                            int shift = 8 * (bigEndian ? width - 1 - k : k);
                            set(bytes, field + k, (int) (v >>> shift), undo);
                        }
                        done.add(width + "-byte " + (bigEndian ? "big" : "little") + "-endian " + Long.toUnsignedString(v) + " at " + field);
                    }
                    case 4 -> {
                        long v = rnd.nextInt(300);
                        set(bytes, field, (int) v, undo);
                        done.add("byte " + field + " = " + v + " (a field's low byte)");
                    }
                    case 5 -> {
                        int width = rnd.nextBoolean() ? 8 : 4;
                        for (int k = 0; k < width / 2 && field + width - 1 - k < bytes.length; k++) {
                            byte x = bytes[field + k];
                            set(bytes, field + k, bytes[field + width - 1 - k], undo);
                            set(bytes, field + width - 1 - k, x, undo);
                        }
                        done.add("reverse " + width + " bytes at " + field);
                    }
                    case 6 -> {
                        int from = rnd.nextInt(header);
                        int to = (int) base.fields[rnd.nextInt(base.fields.length)];
                        int n = Math.min(1 + rnd.nextInt(64), Math.min(header - from, bytes.length - to));
                        for (int k = 0; k < n; k++) {
                            set(bytes, to + k, bytes[from + k], undo);
                        }
                        done.add("copy " + n + " bytes from " + from + " to " + to);
                    }
                    default -> {
                        // Mostly in the header and just past it; sometimes anywhere in the data.
                        int limit = rnd.nextInt(5) == 0 ? bytes.length : (int) Math.min(bytes.length, base.dataOffset + 64);
                        length = Math.min(length, rnd.nextInt(limit));
                        done.add("truncate to " + length);
                    }
                }
            }
            byte[] input = length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
            try (GgufFile f = GgufReader.read(input)) {
                walk(f);
                return true;
            } catch (GgufFormatException e) {
                BadGgufTest.assertOneLine(e);
                if (e.offset() < 0 || e.offset() > input.length) {
                    throw new AssertionError("offset " + e.offset() + " outside the file of " + input.length + " bytes: " + e.getMessage());
                }
                return false;
            }
        } catch (Throwable t) {
            throw new AssertionFailedError("fuzz seed " + SEED + ", file '" + base.name + "' (index " + baseIndex + "), case " + caseIndex
                    + ", mutations " + done + ": " + t, t);
        } finally {
            for (int k = undo.size() - 1; k >= 0; k--) {
                bytes[(int) undo.get(k)[0]] = (byte) undo.get(k)[1];
            }
        }
    }

    private static void set(byte[] bytes, int p, int v, List<long[]> undo) {
        undo.add(new long[] {p, bytes[p]});
        bytes[p] = (byte) v;
    }

    /** Uses everything a parsed file offers, as inspect and the later commands will. */
    private static void walk(GgufFile f) {
        for (MetadataEntry e : f.metadata()) {
            walk(e.value());
        }
        for (String w : f.warnings()) {
            assertTrue(w.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7F), () -> "control character in warning: " + w);
        }
        try {
            f.architecture();
            f.integer("general.alignment");
        } catch (GgufFormatException expected) {
            BadGgufTest.assertOneLine(expected); // a key of the wrong type
        }
        for (TensorInfo t : f.tensors()) {
            t.elements();
            t.rows();
            t.shape();
            t.toString();
            if (t.bytes() >= 0) {
                MemorySegment data = f.tensorData(t);
                if (t.bytes() > 0) {
                    data.get(ValueLayout.JAVA_BYTE, 0);
                    data.get(ValueLayout.JAVA_BYTE, t.bytes() - 1);
                }
            }
        }
    }

    private static void walk(GgufValue v) {
        v.toString();
        switch (v) {
            case GgufArray a -> {
                for (GgufValue e : a) {
                    walk(e);
                }
                if (a.count() > 0) {
                    a.get(a.count() - 1).toString();
                    a.get(0).toString();
                }
                a.first(3);
                if (a.elementType().isInteger()) {
                    a.toLongs();
                }
                a.equals(a);
            }
            case GgufValue.Real r -> r.value();
            case GgufValue.Str s -> s.text();
            case GgufValue.Int i -> i.exceedsLong();
            case GgufValue.Bool b -> b.value();
        }
    }

    /**
     * A file to mutate, with the positions of its header fields: the counts, every key/value record
     * (key length, type tag, array element type and count), every tensor info (name length, dimension
     * count, dimensions, type, data offset). The positions only aim the mutations; any byte may be hit.
     */
    private static Base base(String name, byte[] bytes) throws GgufFormatException {
        try (GgufFile f = GgufReader.read(bytes)) {
            int w = f.version() == 1 ? 4 : 8;
            List<Long> fields = new ArrayList<>(List.of(4L, 8L, 8L + w));
            for (MetadataEntry e : f.metadata()) {
                long type = e.offset() + w + e.key().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                fields.addAll(List.of(e.offset(), type, type + 4, type + 8));
            }
            for (TensorInfo t : f.tensors()) {
                long dims = t.infoOffset() + w + t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                fields.addAll(List.of(t.infoOffset(), dims));
                for (int d = 0; d < t.ne().length; d++) {
                    fields.add(dims + 4 + (long) d * w);
                }
                long type = dims + 4 + (long) t.ne().length * w;
                fields.addAll(List.of(type, type + 4));
            }
            return new Base(name, bytes.clone(), f.dataOffset(), fields.stream().mapToLong(Long::longValue).toArray());
        }
    }
}
