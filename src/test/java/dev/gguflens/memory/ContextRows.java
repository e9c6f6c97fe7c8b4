package dev.gguflens.memory;

import dev.gguflens.gguf.GgmlType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rows of a table written by the oracle's {@code kv-probe} (kv-cache/README.md): one llama.cpp context per row,
 * its options and the bytes llama.cpp allocated, read by column name.
 */
record ContextRows(List<Row> rows) {

    /** One context: its columns by name. */
    record Row(Map<String, String> columns) {
        String get(String column) {
            String v = columns.get(column);
            if (v == null) {
                throw new IllegalArgumentException("no column " + column);
            }
            return v;
        }

        long number(String column) {
            return Long.parseLong(get(column));
        }

        String model() {
            return get("model");
        }

        boolean failed() {
            return get("notes").startsWith("context creation failed");
        }

        /** The options llama.cpp was given for this row, as {@code fit} takes them. */
        ContextOptions options() {
            return new ContextOptions(number("n_ctx"), number("n_batch"), number("n_ubatch"), (int) number("n_seq_max"),
                    get("kv_unified").equals("1"), get("swa_full").equals("1"),
                    ContextOptions.FlashAttention.valueOf(get("flash_attn").toUpperCase(Locale.ROOT)), type(get("type_k")),
                    type(get("type_v")));
        }

        @Override
        public String toString() {
            return model() + " n_ctx " + get("n_ctx") + " n_seq " + get("n_seq_max") + " unified " + get("kv_unified") + " swa_full "
                    + get("swa_full") + " " + get("type_k") + "/" + get("type_v") + " fa " + get("flash_attn") + " batch "
                    + get("n_batch") + "/" + get("n_ubatch");
        }
    }

    static GgmlType type(String name) {
        return GgmlType.byName(name).orElseThrow();
    }

    static ContextRows read(Path table) throws IOException {
        List<String> lines = Files.readAllLines(table);
        String[] header = lines.getFirst().split("\t", -1);
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            Map<String, String> m = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                m.put(header[i], i < cells.length ? cells[i] : "");
            }
            rows.add(new Row(m));
        }
        return new ContextRows(rows);
    }
}
