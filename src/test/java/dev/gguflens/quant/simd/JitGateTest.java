package dev.gguflens.quant.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The gate's rules, on a clock of the test's: each probe "takes" what the test says. */
class JitGateTest {

    /** A clock that advances by {@code perProbe.get()} every time a probe runs. */
    private static final class FakeProbe {
        final AtomicLong now = new AtomicLong();
        final AtomicLong perProbe = new AtomicLong();
        final AtomicInteger runs = new AtomicInteger();

        void run() {
            runs.incrementAndGet();
            now.addAndGet(perProbe.get());
        }
    }

    @Test
    void staysClosedWhileProbesAreSlowAndOpensForGoodOnceOneBatchIsFast() {
        FakeProbe p = new FakeProbe();
        JitGate gate = new JitGate(p::run, 100, p.now::get);
        p.perProbe.set(5_000);
        assertFalse(gate.open());
        assertFalse(gate.open());
        assertEquals(2 * JitGate.PROBES_PER_CALL, p.runs.get(), "each closed call runs a batch of probes");
        p.perProbe.set(100);
        assertTrue(gate.open(), "a batch at the compiled time opens it");
        int probed = p.runs.get();
        p.perProbe.set(5_000);
        assertTrue(gate.open(), "open for good");
        assertEquals(probed, p.runs.get(), "no more probes once open");
    }

    @Test
    void opensAfterSoManyClosedCallsAnyway() {
        FakeProbe p = new FakeProbe();
        JitGate gate = new JitGate(p::run, 100, p.now::get);
        p.perProbe.set(1_000_000);
        for (int i = 1; i < JitGate.MAX_CLOSED_CALLS; i++) {
            assertFalse(gate.open(), "call " + i);
        }
        assertTrue(gate.open());
    }
}
