package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The deterministic codec test vectors of reference/quantizers.md §6 and §8, generated exactly as
 * {@code reference/vectors/gen-vectors.c} and {@code gen-decode-vectors.c} generate them, and the
 * expected hashes from {@code vectors.tsv} and {@code decode-vectors.tsv} (copied into {@code testdata/vectors/}).
 */
public final class QuantVectors {
    public static final int N_PER_ROW = 256;

    private QuantVectors() {
    }

    /**
     * The folder holding {@code vectors/vectors.tsv} and {@code vectors/decode-vectors.tsv}: {@code testdata/},
     * where the two tables are copied from {@code reference/vectors/} so a fresh clone runs the vector checks.
     * (Optional only because callers were written for a folder that might be missing; it is always there.)
     */
    public static Optional<Path> referenceDir() {
        Path dir = dev.gguflens.testing.TestFiles.testdata();
        return Files.isRegularFile(dir.resolve("vectors/vectors.tsv")) ? Optional.of(dir) : Optional.empty();
    }

    /** One row of {@code vectors.tsv}. */
    public record Expected(String vector, String type, int typeId, long bytes, String sha256Quantized,
                           String sha256Dequantized, double rmse, boolean valid) {
        public boolean aborts() {
            return sha256Quantized.equals("ABORT");
        }
    }

    /** One row of {@code decode-vectors.tsv}. */
    public record ExpectedDecode(String type, int typeId, int blockElems, int blockBytes, int nBlocks,
                                 String sha256Blocks, String sha256Decoded) {
    }

    /** {@code vectors.tsv} keyed by "vector/TYPE" (e.g. {@code random/Q4_K}, {@code invalid.row4/IQ3_S}). */
    public static Map<String, Expected> expected(Path referenceDir) {
        return rows(referenceDir.resolve("vectors/vectors.tsv"), c -> new Expected(c[0], c[1], Integer.parseInt(c[2]),
                c[3].equals("-") ? -1 : Long.parseLong(c[3]), c[4], c[5], parseDouble(c[6]), c[7].equals("1")))
                .stream().collect(Collectors.toMap(e -> e.vector() + "/" + e.type(), e -> e));
    }

    /** {@code decode-vectors.tsv} keyed by type name. */
    public static Map<String, ExpectedDecode> expectedDecodes(Path referenceDir) {
        return rows(referenceDir.resolve("vectors/decode-vectors.tsv"), c -> new ExpectedDecode(c[0], Integer.parseInt(c[1]),
                Integer.parseInt(c[2]), Integer.parseInt(c[3]), Integer.parseInt(c[4]), c[5], c[6]))
                .stream().collect(Collectors.toMap(ExpectedDecode::type, e -> e));
    }

    private static <T> List<T> rows(Path tsv, Function<String[], T> parse) {
        try {
            return Files.readAllLines(tsv).stream().skip(1).filter(l -> !l.isBlank()).map(l -> parse.apply(l.split("\t"))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double parseDouble(String s) {
        return s.equals("-") || s.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(s);
    }

    /** The LCG of the generators: {@code x = x*1664525 + 1013904223}, stepped before each use. */
    static final class Lcg {
        int x;

        Lcg(int seed) {
            x = seed;
        }

        int step() {
            x = x * 1664525 + 1013904223;
            return x;
        }

        float next() {
            return (float) (Integer.toUnsignedLong(step()) >>> 8) / 16777216.0f * 2.0f - 1.0f;
        }
    }

    /** The {@code random} vector: 4096 rows of 256 values in [-1, 1). */
    public static float[] random() {
        float[] v = new float[4096 * N_PER_ROW];
        Lcg g = new Lcg(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = g.next();
        }
        return v;
    }

    /** The {@code nasty} vector: 32 rows, one hazard each (zeros, ties, subnormals, outliers, ...). */
    public static float[] nasty() {
        float[] v = new float[32 * N_PER_ROW];
        Lcg g = new Lcg(12345);
        for (int r = 0; r < 32; r++) {
            for (int j = 0; j < N_PER_ROW; j++) {
                float u = g.next();
                float val = switch (r) {
                    case 0 -> 0.0f;
                    case 1 -> -0.0f;
                    case 2 -> 0.5f;
                    case 3 -> -3.0f;
                    case 4 -> (j & 1) != 0 ? -1.0f : 1.0f;
                    case 5 -> (j & 1) != 0 ? 1.0f : -1.0f;
                    case 6 -> j % 32 == 3 ? 0.75f : j % 32 == 20 ? -0.75f : 0.25f * u;
                    case 7 -> j % 32 == 3 ? -0.75f : j % 32 == 20 ? 0.75f : 0.25f * u;
                    case 8 -> j == 17 ? 100.0f : 0.01f * u;
                    case 9 -> j == 200 ? -30000.0f : 0.01f * u;
                    case 10 -> j == 5 ? 3000.0f : j == 6 ? -2999.0f : 0.01f * u;
                    case 11 -> 1.0e-39f * u;
                    case 12 -> j % 3 == 0 ? 1.4e-45f : j % 3 == 1 ? -2.8e-45f : 0.0f;
                    case 13 -> 1.0e-20f * u;
                    case 14 -> 1.0e-6f * u;
                    case 15 -> 1.0e-3f * u;
                    case 16 -> j % 32 == 0 ? 127.0f : (float) ((j % 32) - 16) + 0.5f;
                    case 17 -> Math.abs(u);
                    case 18 -> -Math.abs(u);
                    case 19 -> ((float) j - 127.5f) / 128.0f;
                    case 20 -> 60000.0f * u;
                    case 21 -> {
                        float p2 = Math.scalb(1.0f, j / 32 - 4);
                        yield j % 32 == 0 ? Math.nextDown(p2) : 0.5f * p2 * u;
                    }
                    case 22 -> {
                        float p2 = Math.scalb(1.0f, j / 32 - 4);
                        yield j % 32 == 7 ? -p2 : 0.5f * p2 * u;
                    }
                    case 23 -> j % 37 == 0 ? u : 0.0f;
                    case 24 -> j >= 64 && j < 96 ? 0.0f : u;
                    case 25 -> (float) ((j / 16) % 5) * 0.125f - 0.25f;
                    case 26 -> j % 2 != 0 ? 0.3f : -0.7f;
                    case 27 -> 0.1f * u;
                    case 28 -> 10.0f * u;
                    case 29 -> Math.scalb(u, -10);
                    case 30 -> u * u * u;
                    case 31 -> j % 16 == 0 ? 8.0f * u : u;
                    default -> throw new IllegalStateException();
                };
                v[r * N_PER_ROW + j] = val;
            }
        }
        return v;
    }

    /** The {@code invalid} vector: 5 rows with NaN, +Inf, -Inf, all NaN, and a scale that overflows fp16. */
    public static float[] invalid() {
        float[] v = new float[5 * N_PER_ROW];
        Lcg g = new Lcg(777);
        for (int r = 0; r < 5; r++) {
            int o = r * N_PER_ROW;
            for (int j = 0; j < N_PER_ROW; j++) {
                v[o + j] = g.next();
            }
            switch (r) {
                case 0 -> v[o + 10] = Float.NaN;
                case 1 -> v[o + 10] = Float.POSITIVE_INFINITY;
                case 2 -> v[o + 10] = Float.NEGATIVE_INFINITY;
                case 3 -> java.util.Arrays.fill(v, o, o + N_PER_ROW, Float.NaN);
                default -> {
                    for (int j = 0; j < N_PER_ROW; j++) {
                        v[o + j] *= 0.01f;
                    }
                    v[o + 5] = 7.0e5f;
                }
            }
        }
        return v;
    }

    /** One row ({@code invalid.rowN} in the TSV) of a vector. */
    public static float[] row(float[] vector, int row) {
        return java.util.Arrays.copyOfRange(vector, row * N_PER_ROW, (row + 1) * N_PER_ROW);
    }

    /**
     * The 4096 pseudo-random blocks of the decode vectors for {@code type} (§8): LCG bytes seeded with
     * the type id, then each scale field overwritten with a moderate finite value.
     */
    public static byte[] decodeBlocks(GgmlType type) {
        int nBlocks = 4096;
        int bb = type.typeSize();
        byte[] buf = new byte[nBlocks * bb];
        Lcg g = new Lcg(type.id());
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) (g.step() >>> 24);
        }
        for (int b = 0; b < nBlocks; b++) {
            int blk = b * bb;
            for (int[] field : scaleFields(type)) {
                int v = g.step();
                int p = blk + field[1];
                switch (field[0]) {
                    case F16 -> putU16(buf, p, moderateF16(v));
                    case F32 -> {
                        int u = Float.floatToRawIntBits(Float.float16ToFloat((short) moderateF16(v)));
                        for (int k = 0; k < 4; k++) {
                            buf[p + k] = (byte) (u >>> (8 * k));
                        }
                    }
                    case E8M0 -> buf[p] = (byte) (119 + ((v >>> 24) & 15));
                    case IQ1M -> {
                        int h = moderateF16(v);
                        for (int k = 0; k < 4; k++) {
                            int w = ((buf[p + 2 * k] & 0xFF) | (buf[p + 2 * k + 1] & 0xFF) << 8) & 0x0FFF;
                            putU16(buf, p + 2 * k, w | ((h >>> (4 * k)) & 0xF) << 12);
                        }
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }
        return buf;
    }

    private static final int F16 = 1, F32 = 2, E8M0 = 3, IQ1M = 4;

    /** The scale fields of each type, in patch order: {kind, offset}. */
    private static int[][] scaleFields(GgmlType t) {
        return switch (t.name()) {
            case "Q4_0", "Q5_0", "Q8_0", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "Q1_0", "Q2_0" ->
                    new int[][] {{F16, 0}};
            case "Q4_1", "Q5_1", "Q4_K", "Q5_K" -> new int[][] {{F16, 0}, {F16, 2}};
            case "Q2_K" -> new int[][] {{F16, 80}, {F16, 82}};
            case "Q3_K" -> new int[][] {{F16, 108}};
            case "Q6_K" -> new int[][] {{F16, 208}};
            case "Q8_K" -> new int[][] {{F32, 0}};
            case "IQ1_M" -> new int[][] {{IQ1M, 48}};
            case "TQ1_0" -> new int[][] {{F16, 52}};
            case "TQ2_0" -> new int[][] {{F16, 64}};
            case "MXFP4" -> new int[][] {{E8M0, 0}};
            case "NVFP4" -> new int[][] {};
            default -> throw new IllegalArgumentException("no decode vector for " + t);
        };
    }

    private static int moderateF16(int v) {
        int r = v >>> 16;
        return (r & 0x83FF) | ((8 + ((r >>> 10) & 7)) << 10);
    }

    private static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    /** Little-endian bytes of floats (as the generators hash them). */
    public static byte[] bytesOf(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
