package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gguflens.gguf.GgmlType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Our generators reproduce the reference inputs exactly (their hashes are in quantizers.md §6 and §8). */
class QuantVectorsTest {

    @Test
    void inputVectorsHashAsTheReferenceSays() {
        assertEquals("e0831ad39b03a4bb4a624bf294145ccb888d53d99f3454d40cc0845253fdabba", QuantVectors.sha256(QuantVectors.bytesOf(QuantVectors.random())));
        assertEquals("6cbd2796d12238aba8ae55db8474d3a701301eaa2fd3e576acc4c1b008c4c68a", QuantVectors.sha256(QuantVectors.bytesOf(QuantVectors.nasty())));
        assertEquals("b091231618198bb79147476f6ef5bb1adaf3bc926c9a8d4088d944fceb8bcd2f", QuantVectors.sha256(QuantVectors.bytesOf(QuantVectors.invalid())));
    }

    @Test
    void decodeBlocksHashAsTheReferenceSays() {
        Path ref = QuantVectors.referenceDir().orElse(null);
        assumeTrue(ref != null, "reference vectors not found beside the oracle: decode-vector check skipped");
        var expected = QuantVectors.expectedDecodes(ref);
        assertEquals(26, expected.size());
        for (var e : expected.values()) {
            GgmlType t = GgmlType.of(e.typeId());
            assertEquals(e.sha256Blocks(), QuantVectors.sha256(QuantVectors.decodeBlocks(t)), t.name());
        }
    }
}
