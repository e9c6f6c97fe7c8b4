package dev.gguflens.quant.ref;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import java.util.List;

/** The table of scalar reference codecs, one per ggml type id (as gguf-py's quants.py registers its classes). */
public final class RefCodecs {
    private static final BlockCodec[] BY_ID = new BlockCodec[GgmlType.COUNT];

    static {
        for (BlockCodec c : List.<BlockCodec>of(
                new F32Codec(), new F16Codec(), new BF16Codec(),
                new Q2KCodec(), new Q3KCodec(), new Q4KCodec(), new Q5KCodec(), new Q6KCodec(), new Q8KCodec(),
                new Iq2XxsCodec(), new Iq2XsCodec(), new Iq2SCodec(), new Iq3XxsCodec(), new Iq1SCodec(), new Iq1MCodec(),
                new Iq3SCodec(),
                new Q8_0Codec(), new Q4_0Codec(), new Q4_1Codec(), new Q5_0Codec(), new Q5_1Codec(),
                new IQ4_NLCodec(), new IQ4_XSCodec(), new MXFP4Codec(), new NVFP4Codec(),
                new TQ1_0Codec(), new TQ2_0Codec(), new Q1_0Codec(), new Q2_0Codec())) {
            BY_ID[c.type().id()] = c;
        }
    }

    private RefCodecs() {
    }

    /** The reference codec for {@code type}, or null when there is none. */
    public static BlockCodec get(GgmlType type) {
        return type.id() >= 0 && type.id() < BY_ID.length ? BY_ID[type.id()] : null;
    }
}
