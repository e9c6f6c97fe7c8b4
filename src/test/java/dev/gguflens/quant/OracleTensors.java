package dev.gguflens.quant;

import dev.gguflens.gguf.GgmlType;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The oracle's per-tensor ground truth for the codecs: every tensor of every llama.cpp output in
 * {@code expected-types.tsv} (runs without an importance matrix), with the sha256 of its data. A codec
 * is right when decoding the source tensor to f32 and quantizing it gives those bytes.
 */
public final class OracleTensors {
    private OracleTensors() {
    }

    /** One output tensor: where its source is, what it became, and the hash llama.cpp's bytes have. */
    public record Row(String set, String model, String sourceType, String ftype, String options, String tensor,
                      GgmlType type, long bytes, String sha256) {
        Path sourceFile(Path oracle) {
            return oracle.resolve("files/" + model + "-" + sourceType.toLowerCase() + ".gguf");
        }

        @Override
        public String toString() {
            return set + "/" + model + "-" + sourceType + "/" + ftype + "/" + options + ": " + tensor + " -> " + type;
        }
    }

    /** Rows whose target type is {@code type}, from runs without an importance matrix. */
    public static List<Row> rows(Path oracle, GgmlType type) throws IOException {
        List<Row> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(oracle.resolve("expected-types.tsv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split("\t");
            if (c[5].equals("imatrix") || !c[9].equals(type.name())) {
                continue;
            }
            out.add(new Row(c[0], c[1], c[2], c[3], c[5], c[7], type, Long.parseLong(c[10]), c[12]));
        }
        return out;
    }

    /**
     * Quantizes each row's source tensor with {@code codec} and returns the rows whose bytes differ
     * from llama.cpp's (empty when the codec is bit-exact on all of them).
     */
    public static List<String> mismatches(Path oracle, BlockCodec codec, List<Row> rows) throws Exception {
        List<String> bad = new ArrayList<>();
        Map<Path, GgufFile> open = new HashMap<>();
        try {
            for (Row r : rows) {
                GgufFile f = open.get(r.sourceFile(oracle));
                if (f == null) {
                    f = GgufReader.open(r.sourceFile(oracle));
                    open.put(r.sourceFile(oracle), f);
                }
                GgufFile src = f;
                TensorInfo t = src.tensors().stream().filter(x -> x.name().equals(r.tensor())).findFirst().orElseThrow();
                float[] values = decode(src, t);
                byte[] out = new byte[Math.toIntExact(r.bytes())];
                codec.quantize(values, 0, out, 0, values.length);
                String got = QuantVectors.sha256(out);
                if (!got.equals(r.sha256())) {
                    bad.add(r.toString());
                }
            }
        } finally {
            open.values().forEach(GgufFile::close);
        }
        return bad;
    }

    /** The tensor's values as f32, decoded by its type's reference codec. */
    public static float[] decode(GgufFile f, TensorInfo t) {
        byte[] raw = f.tensorData(t).toArray(ValueLayout.JAVA_BYTE);
        float[] values = new float[Math.toIntExact(t.elements())];
        Codecs.reference(t.type()).orElseThrow().dequantize(raw, 0, values, 0, values.length);
        return values;
    }
}
