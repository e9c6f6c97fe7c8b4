package dev.gguflens.quant.ref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.Codecs;
import org.junit.jupiter.api.Test;

/**
 * llama-quantize validates converted F16, BF16 and F32 data too ({@code ggml_validate_row_data}: any
 * value with all exponent bits set, Inf or NaN, fails the run). Overflow thresholds from quantizers.md
 * §4: |f| >= 65520 becomes an F16 infinity; BF16 rounds Float.MAX_VALUE up to infinity.
 */
class FloatValidationTest {

    private static long firstInvalid(GgmlType type, float... values) {
        BlockCodec c = Codecs.reference(type).orElseThrow();
        byte[] out = new byte[c.encodedBytes(values.length)];
        c.quantize(values, 0, out, 0, values.length);
        return c.firstInvalidBlock(out, 0, values.length);
    }

    @Test
    void f16RejectsValuesThatBecomeInfinityOrNaN() {
        assertEquals(-1, firstInvalid(GgmlType.F16, 0f, -0f, 65504f, -65504f, 65519.99f, 6e-8f));
        assertEquals(2, firstInvalid(GgmlType.F16, 1f, 2f, 65520f, 3f));
        assertEquals(1, firstInvalid(GgmlType.F16, 1f, Float.NaN, Float.POSITIVE_INFINITY));
        assertEquals(0, firstInvalid(GgmlType.F16, -1e6f));
    }

    @Test
    void bf16RejectsInfinityAndNaN() {
        assertEquals(-1, firstInvalid(GgmlType.BF16, 0f, 1e38f, -3e38f, Float.MIN_VALUE));
        assertEquals(1, firstInvalid(GgmlType.BF16, 1f, Float.MAX_VALUE));
        assertEquals(0, firstInvalid(GgmlType.BF16, Float.NaN, 1f));
        assertEquals(2, firstInvalid(GgmlType.BF16, 1f, 2f, Float.NEGATIVE_INFINITY));
    }

    @Test
    void f32RejectsInfinityAndNaN() {
        assertEquals(-1, firstInvalid(GgmlType.F32, 0f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE));
        assertEquals(1, firstInvalid(GgmlType.F32, 1f, Float.POSITIVE_INFINITY));
        assertEquals(0, firstInvalid(GgmlType.F32, Float.NaN));
    }
}
