package dev.gguflens.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.quant.CodecSelection.Decision;
import dev.gguflens.quant.CodecSelection.Environment;
import dev.gguflens.testing.ChildJvm;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * How {@link Codecs} picks its implementation: the rules on their own, and real JVMs started with and
 * without the vector module (the classes that use it must never load without it).
 */
class CodecSelectionTest {
    private static final String ENABLE_HINT = "--add-modules jdk.incubator.vector";

    private static Environment env(String property, boolean module, boolean c2, int preferredBits) {
        return new Environment(property, module, c2, preferredBits);
    }

    @Test
    void vectorsWhenTheModuleAndC2AreThere() {
        Decision d = CodecSelection.decide(env(null, true, true, 512));
        assertTrue(d.vector());
        assertEquals(List.of(), d.notices());
    }

    @Test
    void scalarWithOneHintWhenTheModuleIsMissing() {
        Decision d = CodecSelection.decide(env(null, false, true, 0));
        assertFalse(d.vector());
        assertEquals(1, d.notices().size());
        assertTrue(d.notices().get(0).contains(ENABLE_HINT), d.notices().get(0));
    }

    @Test
    void scalarWhenC2IsOff() {
        Decision d = CodecSelection.decide(env(null, true, false, 512));
        assertFalse(d.vector());
        assertEquals(1, d.notices().size());
        assertTrue(d.notices().get(0).contains("C2"), d.notices().get(0));
    }

    @Test
    void scalarWhenTheCpuHasNoUsefulVectors() {
        Decision d = CodecSelection.decide(env(null, true, true, 64));
        assertFalse(d.vector());
        assertEquals(1, d.notices().size());
    }

    @Test
    void thePropertyForcesScalarOrAWidth() {
        Decision scalar = CodecSelection.decide(env("scalar", true, true, 512));
        assertFalse(scalar.vector());
        assertEquals(List.of(), scalar.notices(), "asked for: nothing to say");
        Decision scalarWithoutModule = CodecSelection.decide(env("scalar", false, true, 0));
        assertFalse(scalarWithoutModule.vector());
        assertEquals(List.of(), scalarWithoutModule.notices());
        for (String bits : List.of("128", "256", "512", " 256 ")) {
            Decision d = CodecSelection.decide(env(bits, true, false, 512));
            assertTrue(d.vector(), "a forced width holds even without C2: " + bits);
            assertEquals(List.of(), d.notices());
        }
        Decision forcedWithoutModule = CodecSelection.decide(env("256", false, true, 0));
        assertFalse(forcedWithoutModule.vector());
        assertTrue(forcedWithoutModule.notices().get(0).contains(ENABLE_HINT));
    }

    @Test
    void aBadPropertyIsNamedAndIgnored() {
        Decision d = CodecSelection.decide(env("fast", true, true, 256));
        assertTrue(d.vector());
        assertEquals(1, d.notices().size());
        assertTrue(d.notices().get(0).contains("gguflens.vector.bits=fast"), d.notices().get(0));
    }

    private static Map<String, String> values(ChildJvm.Result r) {
        return r.stdout().stream().filter(l -> l.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    }

    private static List<String> ggufLensLines(List<String> stderr) {
        return stderr.stream().filter(l -> l.startsWith("gguflens:")).toList();
    }

    /** Without the module the tool still runs, on the scalar code, and says once how to enable vectors. */
    @Test
    void withoutTheVectorModuleTheScalarCodecsRunAndOneHintIsPrinted() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), SelectionProbe.class.getName());
        assertEquals(0, r.exitCode(), "child failed: " + r.stderr());
        Map<String, String> v = values(r);
        assertEquals("scalar", v.get("implementation"));
        assertEquals("dev.gguflens.quant.ref.Q4KCodec", v.get("q4k-codec"));
        assertEquals("0", v.get("differing"), "tensors differing from llama.cpp's");
        assertTrue(Integer.parseInt(v.get("compared")) >= 2, "Q4_K and Q6_K tensors compared: " + v.get("compared"));
        assertEquals(1, r.stderr().size(), "stderr: " + r.stderr());
        assertTrue(r.stderr().get(0).startsWith("gguflens:") && r.stderr().get(0).contains(ENABLE_HINT), r.stderr().get(0));
    }

    @Test
    void withTheVectorModuleTheVectorCodecsRunSilently() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"),
                SelectionProbe.class.getName());
        assertEquals(0, r.exitCode(), "child failed: " + r.stderr());
        Map<String, String> v = values(r);
        assertTrue(v.get("implementation").startsWith("vector "), v.get("implementation"));
        assertEquals("dev.gguflens.quant.simd", v.get("q4k-codec").substring(0, v.get("q4k-codec").lastIndexOf('.')));
        assertEquals("0", v.get("differing"), "tensors differing from llama.cpp's");
        assertEquals(List.of(), ggufLensLines(r.stderr()));
    }

    @Test
    void thePropertyChoosesInARealJvm() throws Exception {
        List<String> base = List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
        ChildJvm.Result scalar = ChildJvm.run(concat(base, "-Dgguflens.vector.bits=scalar"), SelectionProbe.class.getName());
        assertEquals(0, scalar.exitCode(), "child failed: " + scalar.stderr());
        assertEquals("scalar", values(scalar).get("implementation"));
        assertEquals(List.of(), ggufLensLines(scalar.stderr()));
        ChildJvm.Result w256 = ChildJvm.run(concat(base, "-Dgguflens.vector.bits=256"), SelectionProbe.class.getName());
        assertEquals(0, w256.exitCode(), "child failed: " + w256.stderr());
        assertEquals("vector 256-bit", values(w256).get("implementation"));
        assertEquals("0", values(w256).get("differing"));
    }

    private static List<String> concat(List<String> a, String b) {
        return java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(b)).toList();
    }
}
