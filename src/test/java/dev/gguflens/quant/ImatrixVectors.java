package dev.gguflens.quant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The weighted codecs' test vectors (reference/quantizers-imatrix.md §0 and §6): the importance vectors,
 * generated exactly as {@code reference/vectors/gen-imatrix-vectors.c} does, and the expected hashes of
 * {@code imatrix-vectors.tsv} (copied into {@code testdata/vectors/}). The input values are
 * {@link QuantVectors#random()}; the call is {@code quantizeRows(x, 0, q, 0, 4096, 256, importance(), 0)}.
 */
public final class ImatrixVectors {
    private ImatrixVectors() {
    }

    /** One row of {@code imatrix-vectors.tsv}; {@code changesBytes} is null where the plain call is not allowed ("-"). */
    public record Expected(String type, int typeId, long bytes, String sha256Quantized, String sha256Dequantized,
                           double rmse, boolean valid, Boolean changesBytes) {
    }

    /** {@code imatrix-vectors.tsv} keyed by type name (e.g. {@code Q4_K}, {@code IQ2_XXS}). */
    public static Map<String, Expected> expected() {
        Path tsv = dev.gguflens.testing.TestFiles.testdata().resolve("vectors/imatrix-vectors.tsv");
        try {
            return Files.readAllLines(tsv).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t"))
                    .map(c -> new Expected(c[1], Integer.parseInt(c[2]), Long.parseLong(c[3]), c[4], c[5],
                            Double.parseDouble(c[6]), c[7].equals("1"), c[8].equals("-") ? null : c[8].equals("1")))
                    .collect(Collectors.toMap(Expected::type, e -> e));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The §6 importance vector: 256 values in [1/16, 16), one per column. LCG seed 7, one step per value:
     * {@code e = (s >> 29) - 4}, {@code f = ((s >> 13) & 1023) / 1024}, {@code w = (1 + f) * 2^e} (exact).
     */
    public static float[] importance() {
        float[] w = new float[QuantVectors.N_PER_ROW];
        QuantVectors.Lcg g = new QuantVectors.Lcg(7);
        for (int j = 0; j < w.length; j++) {
            int s = g.step();
            int e = (s >>> 29) - 4;
            float f = (float) ((s >>> 13) & 1023) / 1024.0f;
            w[j] = Math.scalb(1.0f + f, e);
        }
        return w;
    }

    /**
     * The §0 importance vector with zeros (about 19% of the columns): LCG seed 99, one step per value,
     * {@code w = (s >> 28) < 3 ? 0 : (s >> 8) / 2^24 * 1000}. No expected hashes exist for it: it serves
     * differential tests (reference against vectorized) where zero weights decide the comparisons.
     */
    public static float[] importanceWithZeros() {
        float[] w = new float[QuantVectors.N_PER_ROW];
        QuantVectors.Lcg g = new QuantVectors.Lcg(99);
        for (int j = 0; j < w.length; j++) {
            int s = g.step();
            w[j] = (s >>> 28) < 3 ? 0.0f : (float) (s >>> 8) / 16777216.0f * 1000.0f;
        }
        return w;
    }
}
