package dev.gguflens.quant.simd;

import java.util.function.LongSupplier;

/**
 * Whether a piece of Vector API code runs compiled yet. Until C2 compiles it, Vector API code runs in
 * the interpreter or C1, where every vector operation allocates: hundreds of times slower than plain
 * scalar code. On {@code simulate --error} the first few million values a vectorized error kernel saw
 * cost more CPU that way (about a second) than it saved on all the rest. So a vectorized twin hands its
 * work to its scalar twin while {@link #open()} is false, and each call of {@code open()} first runs
 * the vector code on a tiny input a few times (a probe): that is what brings the JIT to compile it, and
 * timing it tells when that happened, since no uncompiled vector code runs a probe as fast as
 * {@code compiledNanos}. Once open, the gate stays open. The twins give identical results, so when it
 * opens changes only the speed. A gate that never sees a fast probe (a width this CPU cannot run well)
 * opens after {@value #MAX_CLOSED_CALLS} calls anyway, as a forced width is honoured elsewhere.
 */
final class JitGate {
    /** Probes per call while closed: enough to time reliably, few enough to cost little interpreted. */
    static final int PROBES_PER_CALL = 8;
    static final int MAX_CLOSED_CALLS = 20_000;

    private final Runnable probe;
    private final long compiledNanos;
    private final LongSupplier clock;
    private volatile boolean open;
    /** Calls while closed; racy increments only delay giving up a little. */
    private int closedCalls;

    /**
     * @param probe         runs the guarded vector code on a tiny input (one vector iteration or so)
     * @param compiledNanos a probe's time below which the code must be compiled: well above its compiled
     *                      time, well below what any interpreted or C1 run of it takes
     */
    JitGate(Runnable probe, long compiledNanos) {
        this(probe, compiledNanos, System::nanoTime);
    }

    /** With a clock of the caller's, for tests. */
    JitGate(Runnable probe, long compiledNanos, LongSupplier clock) {
        this.probe = probe;
        this.compiledNanos = compiledNanos;
        this.clock = clock;
    }

    /** Whether to run the vector code now; probes it while closed. */
    boolean open() {
        if (open) {
            return true;
        }
        long start = clock.getAsLong();
        for (int i = 0; i < PROBES_PER_CALL; i++) {
            probe.run();
        }
        long perProbe = (clock.getAsLong() - start) / PROBES_PER_CALL;
        if (perProbe <= compiledNanos || ++closedCalls >= MAX_CLOSED_CALLS) {
            open = true;
        }
        return open;
    }
}
