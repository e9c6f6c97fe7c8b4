package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The vector codecs use one shape per element type ({@link VectorWidth}'s, and the error kernel's doubles and
 * longs of that width): a second float or int shape makes the Vector API's shared type profiles depend on timing,
 * and with the launcher's lowered compile thresholds (src/main/jvm/codec.options) C2 then sometimes compiled a
 * codec step against the wrong class, leaving it on the API's slow Java fallbacks for the whole run. The species
 * constants of a fixed width below are the only ones allowed, each for the reason its class gives.
 */
class OneVectorShapeTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/gguflens/quant/simd");
    private static final Pattern FIXED_SHAPE = Pattern.compile("\\b[A-Z][a-z]+Vector\\.SPECIES_\\w+|VectorShape\\.(forBitSize|S_\\d+_BIT)");

    @Test
    void onlyTheKnownFixedWidthSpeciesAppearInTheCodecs() throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path file : files.sorted().toList()) {
                Matcher m = FIXED_SHAPE.matcher(Files.readString(file));
                while (m.find()) {
                    found.add(file.getFileName() + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(
                // the caps of widths wider than the contract (8 double lanes) and the IQ3 lists' padding (16 floats)
                "Iq3VectorSearch.java: FloatVector.SPECIES_512",
                "VectorErrorKernel.java: VectorShape.S_512_BIT",
                // byte data moves in 16-byte pieces at every width (ByteVector has no other shape in the codecs)
                "VectorWidth.java: ByteVector.SPECIES_128",
                // the widths a system property can force (tests and benchmarks)
                "VectorWidth.java: VectorShape.S_128_BIT",
                "VectorWidth.java: VectorShape.S_256_BIT",
                "VectorWidth.java: VectorShape.S_512_BIT"), found);
    }
}
