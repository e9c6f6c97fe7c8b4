package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.TestFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The contexts gguflens measured itself with the oracle's llama.cpp build (testdata/memory/README.md): wider
 * model shapes than the oracle's and a Mamba model, whose recurrent state the oracle has no figure for. Cache
 * bytes (KV or recurrent state) and the output buffer to the byte, the compute buffer within 10%.
 */
class MeasuredContextsTest {

    @Test
    void everyMeasuredContextMatchesLlamaCpp() throws Exception {
        ContextRows rows = ContextRows.read(TestFiles.testdata("memory/contexts.tsv"));
        List<String> mismatches = new ArrayList<>();
        int recurrent = 0;
        double worst = 0;
        for (ContextRows.Row row : rows.rows()) {
            assertTrue(!row.failed(), row + " failed to load");
            ModelDims dims = ModelDims.of(ProbePresets.metadata(row.model()), List.of());
            ContextMemory m = ContextMemory.of(dims, row.options());
            if (m.refused()) {
                mismatches.add(row + ": refused (" + m.refusal() + "), llama.cpp created it");
                continue;
            }
            if (m.recurrent().layers() > 0) {
                recurrent++;
            }
            // kv_bytes is llama.cpp's whole "context" memory: the KV cache, or the recurrent state
            if (m.cacheBytes() != row.number("kv_bytes")) {
                mismatches.add(row + ": cache " + m.cacheBytes() + ", llama.cpp " + row.number("kv_bytes"));
            }
            if (m.kv().kBytes() != row.number("k_bytes") || m.kv().vBytes() != row.number("v_bytes")) {
                mismatches.add(row + ": K/V " + m.kv().kBytes() + "/" + m.kv().vBytes() + ", llama.cpp " + row.get("k_bytes") + "/"
                        + row.get("v_bytes"));
            }
            if (m.output() != row.number("output_buffer_bytes")) {
                mismatches.add(row + ": output " + m.output() + ", llama.cpp " + row.number("output_buffer_bytes"));
            }
            long actual = row.number("compute_buffer_bytes");
            double error = (m.compute().bytes() - actual) / (double) actual;
            // Models of one or two layers peak in their first or last layer (ComputeBuffer's javadoc): the estimate is
            // high there, never low; every deeper model is held to 10%.
            boolean shallow = dims.trunkLayers() <= 2;
            if (!shallow) {
                worst = Math.max(worst, Math.abs(error));
            }
            boolean off = shallow ? error < 0 || error > 0.5 : Math.abs(error) > 0.10;
            if (m.compute().lowerBound() || off) {
                mismatches.add(String.format(Locale.ROOT, "%s: compute %d%s, llama.cpp %d (%+.1f%%)", row, m.compute().bytes(),
                        m.compute().lowerBound() ? " (lower bound)" : "", actual, 100 * error));
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + rows.rows().size() + " rows differ:\n" + String.join("\n", mismatches));
        assertEquals(132, rows.rows().size());
        assertEquals(10, recurrent);
        System.out.printf(Locale.ROOT, "testdata/memory/contexts.tsv: %d contexts; compute buffer within %.2f%% for models of 3 layers or"
                + " more%n", rows.rows().size(), 100 * worst);
    }

    /** The Mamba state worked out by hand from llama-memory-recurrent.cpp, next to what llama.cpp allocated. */
    @Test
    void mambaStateIsConvolutionAndSsmRowsPerSequence() throws Exception {
        ModelDims dims = ModelDims.of(ProbePresets.metadata("custom:arch=mamba,F=16,ctx=1048576"), List.of());
        ContextMemory one = ContextMemory.of(dims, ContextOptions.defaults().withCtx(4096));
        // r: (d_conv - 1) x d_inner = 3 x 512 floats; s: d_state x d_inner = 16 x 512 floats; 4 layers, 1 sequence
        assertEquals(4 * 3 * 512 * 4, one.recurrent().rBytes());
        assertEquals(4 * 16 * 512 * 4, one.recurrent().sBytes());
        assertEquals(0, one.kv().bytes());
        // llama.cpp's figure for this model (testdata/memory/contexts.tsv): 155,648 bytes at any context length
        assertEquals(155_648, one.cacheBytes());
        ContextMemory four = ContextMemory.of(dims, ContextOptions.defaults().withCtx(4096).withParallel(4, false));
        assertEquals(4 * 155_648, four.cacheBytes());
        ContextMemory longer = ContextMemory.of(dims, ContextOptions.defaults().withCtx(1 << 20));
        assertEquals(155_648, longer.cacheBytes());
    }
}
