package dev.gguflens.quant;

import dev.gguflens.quant.simd.VectorCodecProvider;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@link Codecs} picks its implementation, once, in the manner of Lucene's vectorization provider
 * lookup: the Vector API codecs when the {@code jdk.incubator.vector} module is in the boot layer and
 * the C2 compiler is there to make them fast, else the scalar reference with one line on stderr saying
 * how to enable vectors. The system property {@value #BITS_PROPERTY} ({@code 128}, {@code 256},
 * {@code 512} or {@code scalar}) forces a width or the scalar code, for tests and benchmarks.
 */
final class CodecSelection {
    static final String BITS_PROPERTY = "gguflens.vector.bits";
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    static final String MODULE_MISSING = "gguflens: the Vector API is not enabled, so the codecs run on slower scalar code;"
            + " run java with --add-modules " + VECTOR_MODULE + " to enable it (the gguflens launcher does this for"
            + " simulate, quantize and fit)";

    private CodecSelection() {
    }

    /**
     * What the running JVM offers.
     *
     * @param bitsProperty  the value of {@value #BITS_PROPERTY}, or null
     * @param vectorModule  whether {@code jdk.incubator.vector} is in the boot layer
     * @param c2            whether the optimizing JIT compiler runs (not {@code -Xint}, not client emulation)
     * @param preferredBits the Vector API's preferred width, 0 when the module is absent
     */
    record Environment(String bitsProperty, boolean vectorModule, boolean c2, int preferredBits) {
        static Environment current() {
            boolean module = ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
            // HotSpot reports "interpreted mode" under -Xint and "emulated-client" when only C1 compiles
            String vmInfo = System.getProperty("java.vm.info", "");
            boolean c2 = !vmInfo.contains("interpreted mode") && !vmInfo.contains("emulated-client");
            // Only touch the vector classes when their module is there: loading them otherwise fails.
            int preferred = module ? VectorCodecProvider.preferredBits() : 0;
            return new Environment(System.getProperty(BITS_PROPERTY), module, c2, preferred);
        }
    }

    /**
     * The choice: the vector codecs (at the width the property forces, else the preferred one; see
     * {@code VectorWidth}) or the scalar code, and the lines to print on stderr about it.
     */
    record Decision(boolean vector, List<String> notices) {
    }

    /** Decides from {@code env} alone (no side effects), so the rules are testable without restarting the JVM. */
    static Decision decide(Environment env) {
        List<String> notices = new ArrayList<>();
        boolean forced = false;
        String prop = env.bitsProperty() == null ? "" : env.bitsProperty().strip().toLowerCase(Locale.ROOT);
        switch (prop) {
            case "" -> {
            }
            case "scalar" -> {
                return new Decision(false, List.of());
            }
            case "128", "256", "512" -> forced = true;
            default -> notices.add("gguflens: ignoring -D" + BITS_PROPERTY + "=" + env.bitsProperty()
                    + " (expected 128, 256, 512 or scalar)");
        }
        if (!env.vectorModule()) {
            notices.add(MODULE_MISSING);
            return new Decision(false, List.copyOf(notices));
        }
        if (forced) {
            // a forced width is for tests and benchmarks: honoured even where it would be slow
            return new Decision(true, List.copyOf(notices));
        }
        if (!env.c2()) {
            notices.add("gguflens: the C2 JIT compiler is disabled, so the codecs run on scalar code"
                    + " (the Vector API is slow without it)");
            return new Decision(false, List.copyOf(notices));
        }
        if (env.preferredBits() < 128) {
            notices.add("gguflens: this CPU's vectors are narrower than 128 bits, so the codecs run on scalar code");
            return new Decision(false, List.copyOf(notices));
        }
        return new Decision(true, List.copyOf(notices));
    }

    /** Decides for this JVM, prints the notices on {@code err}, and builds the chosen provider. */
    static CodecProvider choose(PrintStream err) {
        Decision d = decide(Environment.current());
        d.notices().forEach(err::println);
        if (d.vector()) {
            try {
                return new VectorCodecProvider();
            } catch (LinkageError | RuntimeException e) {
                // an incubator API on an unusual platform: run, slower, rather than fail
                err.println("gguflens: the Vector API could not start (" + e + "), so the codecs run on scalar code");
            }
        }
        return new ScalarCodecProvider();
    }
}
