package dev.gguflens.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every context of the oracle's KV-cache tables (kv-cache/README.md), its model read from the oracle's own file:
 * the KV cache (K and V) and output buffer to the byte, the context llama.cpp set up (n_ctx, n_batch, n_ubatch,
 * cells per cache, flash attention), the compute buffer within 10%, and every context llama.cpp refused refused
 * with its words.
 */
class OracleContextMemoryTest {
    private static final String REFUSED_PREFIX = "context creation failed: llama_init_from_model: ";

    @ParameterizedTest
    @ValueSource(strings = {"kv-cache/kv-cache.tsv", "kv-cache/kv-cache-stage2.tsv"})
    void everyRowMatchesLlamaCpp(String table) throws Exception {
        ContextRows rows = ContextRows.read(TestFiles.oracle(table));
        Map<String, ModelDims> models = new HashMap<>();
        List<String> mismatches = new ArrayList<>();
        int created = 0;
        int refused = 0;
        double worstCompute = 0;
        for (ContextRows.Row row : rows.rows()) {
            ModelDims dims = models.computeIfAbsent(row.model(), OracleContextMemoryTest::dims);
            ContextMemory m = ContextMemory.of(dims, row.options());
            if (row.failed()) {
                refused++;
                String notes = row.get("notes");
                assertTrue(notes.startsWith(REFUSED_PREFIX), notes);
                if (!m.refused()) {
                    mismatches.add(row + ": llama.cpp refused (" + notes + "), gguflens did not");
                } else if (!m.refusal().equals(notes.substring(REFUSED_PREFIX.length()))) {
                    mismatches.add(row + ": refusal '" + m.refusal() + "', llama.cpp '" + notes + "'");
                }
                continue;
            }
            created++;
            if (m.refused()) {
                mismatches.add(row + ": refused (" + m.refusal() + "), llama.cpp created it");
                continue;
            }
            check(mismatches, row, "kv_bytes", m.kv().bytes());
            check(mismatches, row, "k_bytes", m.kv().kBytes());
            check(mismatches, row, "v_bytes", m.kv().vBytes());
            check(mismatches, row, "output_buffer_bytes", m.output());
            check(mismatches, row, "n_ctx_actual", m.context().ctx());
            check(mismatches, row, "n_batch_actual", m.context().batch());
            check(mismatches, row, "n_ubatch_actual", m.context().ubatch());
            String cells = m.kv().cells() + (m.kv().swaCells() > 0 ? "+" + m.kv().swaCells() : "");
            if (!cells.equals(row.get("kv_cells"))) {
                mismatches.add(row + ": cells " + cells + ", llama.cpp " + row.get("kv_cells"));
            }
            String fa = m.context().flashAttention() ? "enabled" : "disabled";
            if (!fa.equals(row.get("fa_resolved"))) {
                mismatches.add(row + ": flash attention " + fa + ", llama.cpp " + row.get("fa_resolved"));
            }
            long actual = row.number("compute_buffer_bytes");
            if (m.compute().lowerBound()) {
                if (m.compute().bytes() > actual) {
                    mismatches.add(row + ": compute lower bound " + m.compute().bytes() + " above llama.cpp's " + actual);
                }
            } else {
                double error = Math.abs(m.compute().bytes() - actual) / (double) actual;
                worstCompute = Math.max(worstCompute, error);
                if (error > 0.10) {
                    mismatches.add(String.format(Locale.ROOT, "%s: compute %d, llama.cpp %d (%+.1f%%)", row, m.compute().bytes(), actual,
                            100.0 * (m.compute().bytes() - actual) / actual));
                }
            }
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + rows.rows().size() + " rows differ:\n" + String.join("\n", mismatches));
        // The tables as the oracle's README describes them, so a truncated table cannot pass.
        assertEquals(table.endsWith("stage2.tsv") ? 370 : 297, created);
        assertEquals(table.endsWith("stage2.tsv") ? 32 : 24, refused);
        System.out.printf(Locale.ROOT, "%s: %d contexts, %d refused; compute buffer within %.2f%% on every row%n", table, created, refused,
                100 * worstCompute);
    }

    private static void check(List<String> mismatches, ContextRows.Row row, String column, long ours) {
        long theirs = row.number(column);
        if (theirs != ours) {
            mismatches.add(row + ": " + column + " " + ours + ", llama.cpp " + theirs);
        }
    }

    private static ModelDims dims(String model) {
        Path file = TestFiles.oracle("kv-cache/models/" + model + ".gguf");
        try (GgufFile f = GgufReader.open(file)) {
            return ModelDims.of(f);
        } catch (Exception e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }
}
