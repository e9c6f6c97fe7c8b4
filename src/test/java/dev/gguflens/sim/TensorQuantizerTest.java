package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.TensorInfo;
import dev.gguflens.quant.BlockCodec;
import dev.gguflens.quant.ImportanceUse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How weighted rows reach the codec (quantizers-imatrix.md §1.5): whole rows, and a 3-D expert tensor's rows
 * {@code e·ne1 .. e·ne1+ne1-1} with the weights from {@code e·ne0}, the same for every row of the slice.
 */
class TensorQuantizerTest {
    /** One {@code quantizeRows} call as the codec saw it. */
    private record Call(int srcOff, int dstOff, int nRows, int nPerRow, int importanceOff) {
    }

    /** A codec that records its weighted calls (4 bytes per value, like F32, so offsets are easy to follow). */
    private static final class Recording implements BlockCodec {
        final List<Call> calls = new ArrayList<>();

        @Override
        public GgmlType type() {
            return GgmlType.F32;
        }

        @Override
        public boolean canQuantize() {
            return true;
        }

        @Override
        public ImportanceUse importanceUse() {
            return ImportanceUse.USED;
        }

        @Override
        public void quantize(float[] src, int srcOff, byte[] dst, int dstOff, int n) {
            throw new AssertionError("a weighted tensor must not be quantized without its weights");
        }

        @Override
        public void quantizeRows(float[] src, int srcOff, byte[] dst, int dstOff, int nRows, int nPerRow, float[] importance,
                                 int importanceOff) {
            calls.add(new Call(srcOff, dstOff, nRows, nPerRow, importanceOff));
        }

        @Override
        public void dequantize(byte[] src, int srcOff, float[] dst, int dstOff, int n) {
        }
    }

    /** Experts of 3 rows of 8 values; 2 experts, so 16 weights. */
    private static final TensorInfo EXPERTS = new TensorInfo(0, "blk.0.ffn_up_exps.weight", new long[] {8, 3, 2}, GgmlType.F32, 0, 192, -1);

    @Test
    void rowsAreHandedOverPerExpertWithThatExpertsWeights() {
        Recording codec = new Recording();
        TensorQuantizer q = new TensorQuantizer(codec, new float[16], EXPERTS);
        // Rows 2..5: row 2 is expert 0's last, rows 3..5 are expert 1.
        q.quantize(new float[40], 8, new byte[200], 4, 16, 32);
        assertEquals(List.of(new Call(8, 4, 1, 8, 0), new Call(16, 36, 3, 8, 8)), codec.calls);
    }

    @Test
    void allRowsAtOnceMakeOneCallPerExpert() {
        Recording codec = new Recording();
        new TensorQuantizer(codec, new float[16], EXPERTS).quantize(new float[48], 0, new byte[192], 0, 0, 48);
        assertEquals(List.of(new Call(0, 0, 3, 8, 0), new Call(24, 96, 3, 8, 8)), codec.calls);
    }

    @Test
    void anOrdinaryWeightUsesItsOneVectorForEveryRow() {
        Recording codec = new Recording();
        TensorInfo matrix = new TensorInfo(0, "blk.0.attn_q.weight", new long[] {8, 5}, GgmlType.F32, 0, 160, -1);
        new TensorQuantizer(codec, new float[8], matrix).quantize(new float[40], 0, new byte[160], 0, 8, 32);
        assertEquals(List.of(new Call(0, 0, 4, 8, 0)), codec.calls);
    }

    @Test
    void weightedValuesMustBeWholeRows() {
        TensorQuantizer q = new TensorQuantizer(new Recording(), new float[16], EXPERTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q.quantize(new float[8], 0, new byte[32], 0, 4, 8));
        assertEquals("weighted rows must be whole: elements 4..12 in rows of 8", e.getMessage());
    }
}
