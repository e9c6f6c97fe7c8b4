package dev.gguflens.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every run of the oracle, planned from its source file: the status, llama.cpp's reason when it
 * refused, its warnings when it did not, the output file's size to the byte, and every tensor's name,
 * shape, type, size and offset.
 */
class OracleSizesTest {
    private static final String FAILED_PREFIX = "failed to quantize: ";
    private static final Pattern OFFENDING = Pattern.compile("offending tensor: (\\S+)");
    private static final Pattern TARGET = Pattern.compile("target type: (\\S+)");
    private static final String WARNING_PREFIX = "llama_model_quantize_impl: WARNING: ";

    private final OracleRuns runs = new OracleRuns();

    @Test
    void everyRunHasLlamaCppsStatusReasonWarningsAndFileSize() throws Exception {
        List<String[]> rows = OracleRuns.rows("expected-sizes.tsv");
        List<String> mismatches = new ArrayList<>();
        int ok = 0;
        int failed = 0;
        for (String[] row : rows) {
            OracleRuns.Run run = OracleRuns.run(row);
            String status = row[6];
            String message = row[7];
            Plan plan = runs.plan(run);
            if (!status.equals(plan.ok() ? "ok" : "failed")) {
                mismatches.add(run + ": status " + (plan.ok() ? "ok" : "failed (" + plan.message() + ")") + ", llama.cpp " + status + " " + message);
                continue;
            }
            if (status.equals("failed")) {
                failed++;
                for (String part : reasonParts(message)) {
                    if (!plan.message().contains(part)) {
                        mismatches.add(run + ": message '" + plan.message() + "' lacks '" + part + "'");
                    }
                }
                continue;
            }
            ok++;
            long expectedBytes = Long.parseLong(row[8]);
            if (plan.fileBytes() != expectedBytes) {
                mismatches.add(run + ": file bytes " + plan.fileBytes() + ", llama.cpp " + expectedBytes);
            }
            String warnings = String.join(" | ", plan.warnings().stream().map(w -> WARNING_PREFIX + w).toList());
            if (!warnings.equals(message)) {
                mismatches.add(run + ": warnings '" + warnings + "', llama.cpp '" + message + "'");
            }
        }
        assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())), mismatches.size() + " of " + rows.size() + " runs differ");
        // The table as the oracle README describes it: 864 runs, 663 of them ok.
        assertEquals(864, rows.size(), "runs in expected-sizes.tsv");
        assertEquals(663, ok, "ok runs");
        assertEquals(201, failed, "failed runs");
    }

    @Test
    void everyTensorOfEveryOkRunHasLlamaCppsNameShapeTypeSizeAndOffset() throws Exception {
        List<String[]> rows = OracleRuns.rows("expected-types.tsv");
        List<String> mismatches = new ArrayList<>();
        for (String[] row : rows) {
            OracleRuns.Run run = OracleRuns.run(row);
            int index = Integer.parseInt(row[6]);
            Plan plan = runs.plan(run);
            if (!plan.ok()) {
                mismatches.add(run + ": failed (" + plan.message() + ") but llama.cpp wrote it");
                continue;
            }
            if (index >= plan.tensors().size()) {
                mismatches.add(run + ": no tensor " + index + " (plan has " + plan.tensors().size() + ")");
                continue;
            }
            PlannedTensor t = plan.tensors().get(index);
            String actual = String.join("\t", t.name(), shape(t.shape()), t.targetType().name(), Long.toString(t.targetBytes()), Long.toString(t.offset()));
            String expected = String.join("\t", Arrays.copyOfRange(row, 7, 12));
            if (!actual.equals(expected)) {
                mismatches.add(run + " tensor " + index + ": planned [" + actual + "], llama.cpp [" + expected + "]");
            }
        }
        assertEquals(List.of(), mismatches.subList(0, Math.min(20, mismatches.size())), mismatches.size() + " of " + rows.size() + " tensor rows differ");
        assertEquals(13923, rows.size(), "rows in expected-types.tsv (663 ok runs x 21 tensors)");
    }

    /** What of llama.cpp's error text our message must carry: its reason, and the tensor and type it names. */
    static List<String> reasonParts(String message) {
        List<String> parts = new ArrayList<>();
        int at = message.indexOf(FAILED_PREFIX);
        assertTrue(at >= 0, "oracle message without '" + FAILED_PREFIX + "': " + message);
        parts.add(message.substring(at + FAILED_PREFIX.length()).strip());
        for (Pattern p : List.of(OFFENDING, TARGET)) {
            Matcher m = p.matcher(message);
            if (m.find()) {
                parts.add(m.group());
            }
        }
        return parts;
    }

    private static String shape(long[] ne) {
        StringBuilder b = new StringBuilder();
        for (long d : ne) {
            b.append(b.isEmpty() ? "" : ",").append(d);
        }
        return b.toString();
    }
}
