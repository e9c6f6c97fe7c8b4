package dev.gguflens.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Units#mib} against what llama.cpp itself printed for the same bytes: the oracle's KV-cache tables carry
 * the compute and output buffers' log lines ({@code "%8.2f MiB"}) next to their exact sizes.
 */
class OracleMibTest {

    @Test
    void mibAsLlamaCppPrintsIt() throws Exception {
        int checked = 0;
        List<String> mismatches = new ArrayList<>();
        for (String table : List.of("kv-cache/kv-cache.tsv", "kv-cache/kv-cache-stage2.tsv")) {
            List<String> lines = Files.readAllLines(TestFiles.oracle(table));
            List<String> header = Arrays.asList(lines.getFirst().split("\t", -1));
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split("\t", -1);
                if (c[header.indexOf("notes")].startsWith("context creation failed")) {
                    continue;
                }
                for (String[] pair : new String[][] {{"compute_buffer_bytes", "compute_mib_log"}, {"output_buffer_bytes", "output_mib_log"}}) {
                    String ours = Units.mib(Long.parseLong(c[header.indexOf(pair[0])]));
                    String theirs = c[header.indexOf(pair[1])];
                    checked++;
                    if (!ours.equals(theirs)) {
                        mismatches.add(table + " " + pair[0] + " " + c[header.indexOf(pair[0])] + ": " + ours + ", llama.cpp " + theirs);
                    }
                }
            }
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
        assertEquals(2 * (297 + 370), checked);
    }

    @Test
    void exactTiesRoundToEvenAsCsPrintfDoes() {
        // 1.125 MiB and 1.375 MiB are exact ties at the third decimal
        assertEquals("1.12", Units.mib(1_179_648));
        assertEquals("1.38", Units.mib(1_441_792));
        assertEquals("0.00", Units.mib(2048));
        assertEquals("-3.22", Units.mib(-3_376_414));
        assertEquals("24.00", Units.gib(25_769_803_776L));
        // 2^63 - 1 bytes is 8796093022207.99999904... MiB
        assertEquals("8796093022208.00", Units.mib(Long.MAX_VALUE));
        assertEquals("0.00", Units.mib(-1));
    }
}
