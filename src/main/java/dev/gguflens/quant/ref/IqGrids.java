package dev.gguflens.quant.ref;

/**
 * ggml's IQ lookup tables ({@code ggml-common.h}), each read from its resource file the first time a codec
 * asks for it. Every table sits in its own holder class, so the JVM's class initialisation makes the load
 * lazy, once-only and thread-safe, and a codec touches only the tables it uses (IQ2_XS never reads the
 * 2048-entry IQ1 grid). The arrays are the packed little-endian images of the tables: byte i of entry j is
 * at {@code j * entryBytes + i}. Callers must not modify them.
 */
final class IqGrids {
    private IqGrids() {
    }

    /** {@code iq2xxs_grid}: 256 entries of 8 magnitudes (8, 25, 43). IQ2_XXS. */
    static byte[] iq2xxs() {
        return Iq2xxs.TABLE;
    }

    /** {@code iq2xs_grid}: 512 entries of 8 magnitudes. IQ2_XS. */
    static byte[] iq2xs() {
        return Iq2xs.TABLE;
    }

    /** {@code iq2s_grid}: 1024 entries of 8 magnitudes. IQ2_S. */
    static byte[] iq2s() {
        return Iq2s.TABLE;
    }

    /** {@code iq3xxs_grid}: 256 entries of 4 magnitudes (4, 12, ..., 52, 62). IQ3_XXS. */
    static byte[] iq3xxs() {
        return Iq3xxs.TABLE;
    }

    /** {@code iq3s_grid}: 512 entries of 4 odd magnitudes 1..15. IQ3_S (decoder and quantizer). */
    static byte[] iq3s() {
        return Iq3s.TABLE;
    }

    /** {@code iq1s_grid}: 2048 entries of 8 signed values -1, 0, +1. IQ1_S and IQ1_M. */
    static byte[] iq1s() {
        return Iq1s.TABLE;
    }

    /** {@code ksigns_iq2xs}: 128 even-parity sign masks from 7 stored bits. IQ2_XXS, IQ2_XS, IQ3_XXS. */
    static byte[] ksignsIq2xs() {
        return KsignsIq2xs.TABLE;
    }

    private static final class Iq2xxs {
        static final byte[] TABLE = GridFile.load("iq2xxs_grid.txt", "uint64_t", 256);
    }

    private static final class Iq2xs {
        static final byte[] TABLE = GridFile.load("iq2xs_grid.txt", "uint64_t", 512);
    }

    private static final class Iq2s {
        static final byte[] TABLE = GridFile.load("iq2s_grid.txt", "uint64_t", 1024);
    }

    private static final class Iq3xxs {
        static final byte[] TABLE = GridFile.load("iq3xxs_grid.txt", "uint32_t", 256);
    }

    private static final class Iq3s {
        static final byte[] TABLE = GridFile.load("iq3s_grid.txt", "uint32_t", 512);
    }

    private static final class Iq1s {
        static final byte[] TABLE = GridFile.load("iq1s_grid.txt", "uint64_t", 2048);
    }

    private static final class KsignsIq2xs {
        static final byte[] TABLE = GridFile.load("ksigns_iq2xs.txt", "uint8_t", 128);
    }
}
