package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufStream;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.gguf.TensorInfo;
import java.io.IOException;
import java.io.Writer;
import java.nio.ByteOrder;

/** Renders an inspect report as the JSON documented in docs/json.md ("inspect"). */
public final class InspectJsonRenderer {
    private InspectJsonRenderer() {
    }

    public static void render(InspectReport r, Writer out) throws IOException {
        render(r, out, null);
    }

    /** Writes more fields at the end of the top-level object (a GGUF imatrix adds {@code imatrix}). */
    @FunctionalInterface
    public interface Extra {
        void write(JsonGenerator g) throws IOException;
    }

    /** As {@link #render(InspectReport, Writer)}, with {@code kind: "imatrix"} and {@code extra}'s fields when it is not null. */
    public static void render(InspectReport r, Writer out, Extra extra) throws IOException {
        GgufFile f = r.file();
        try (JsonGenerator g = Json.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", Json.SCHEMA_VERSION);
            if (extra != null) {
                g.writeStringField("kind", "imatrix");
            }
            if (f.path() != null) {
                g.writeStringField("file", f.path().toString());
            }
            g.writeNumberField("version", f.version());
            g.writeStringField("byteOrder", f.byteOrder() == ByteOrder.BIG_ENDIAN ? "big" : "little");
            g.writeNumberField("alignment", f.alignment());
            g.writeNumberField("dataOffset", f.dataOffset());
            g.writeNumberField("fileBytes", f.fileSize());
            if (!f.parts().isEmpty()) {
                parts(g, f);
            }
            if (f.stream().isPresent()) {
                GgufStream s = f.stream().get();
                g.writeObjectFieldStart("archive");
                g.writeStringField("format", s.format());
                g.writeStringField("member", s.member());
                number(g, "memberBytes", s.size() < 0 ? null : s.size());
                g.writeEndObject();
            }
            summary(g, r.summary());
            types(g, r.summary());
            if (r.showMetadata()) {
                g.writeArrayFieldStart("metadata");
                for (MetadataEntry e : f.metadata()) {
                    g.writeStartObject();
                    g.writeStringField("key", e.key());
                    g.writeStringField("type", e.value().type().name());
                    g.writeFieldName("value");
                    Json.value(g, e.value());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (r.tensors() != null) {
                if (r.tensorFilter() != null) {
                    g.writeStringField("tensorFilter", r.tensorFilter());
                }
                g.writeArrayFieldStart("tensors");
                for (TensorInfo t : r.tensors()) {
                    tensor(g, t, f.parts().isEmpty() ? 0 : f.partOf(t));
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("warnings");
            for (String w : r.warnings()) {
                g.writeString(w);
            }
            g.writeEndArray();
            if (extra != null) {
                extra.write(g);
            }
            g.writeEndObject();
        }
        out.write(System.lineSeparator());
        out.flush();
    }

    private static void summary(JsonGenerator g, ModelSummary s) throws IOException {
        g.writeObjectFieldStart("summary");
        g.writeStringField("architecture", s.architecture());
        g.writeStringField("name", s.name());
        g.writeNumberField("tensorCount", s.tensorCount());
        number(g, "parameters", s.parameters());
        g.writeNumberField("tensorBytes", s.tensorBytes());
        g.writeNumberField("unknownSizeTensors", s.unknownSizeTensors());
        g.writeFieldName("bitsPerWeight");
        if (s.bitsPerWeight() == null) {
            g.writeNull();
        } else {
            g.writeNumber(s.bitsPerWeight());
        }
        ModelSummary.FileTypeFact ft = s.fileType();
        g.writeStringField("fileType", ft.type() == null ? null : ft.type().enumName());
        g.writeNumberField("fileTypeId", ft.id());
        g.writeBooleanField("fileTypeGuessed", ft.guessed());
        number(g, "contextLength", s.contextLength());
        number(g, "layers", s.layers());
        perLayer(g, "headCount", s.headCount());
        perLayer(g, "headCountKv", s.headCountKv());
        number(g, "experts", s.experts());
        number(g, "expertsUsed", s.expertsUsed());
        number(g, "vocabularySize", s.vocabularySize());
        g.writeEndObject();
    }

    private static void types(JsonGenerator g, ModelSummary s) throws IOException {
        g.writeArrayFieldStart("types");
        for (ModelSummary.TypeRow t : s.types()) {
            g.writeStartObject();
            g.writeStringField("type", t.type().name());
            g.writeNumberField("tensors", t.tensors());
            g.writeNumberField("parameters", t.parameters());
            number(g, "bytes", t.bytes());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** The files of a split model, part 1 first. */
    private static void parts(JsonGenerator g, GgufFile f) throws IOException {
        g.writeArrayFieldStart("parts");
        for (GgufFile p : f.parts()) {
            g.writeStartObject();
            g.writeStringField("file", p.path().toString());
            g.writeNumberField("fileBytes", p.fileSize());
            g.writeNumberField("dataOffset", p.dataOffset());
            g.writeNumberField("tensorCount", p.tensors().size());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** One tensor; {@code part} is its part of a split model (1 for the first), or 0 for a model in one file. */
    private static void tensor(JsonGenerator g, TensorInfo t, int part) throws IOException {
        g.writeStartObject();
        g.writeNumberField("index", t.index());
        g.writeStringField("name", t.name());
        g.writeArrayFieldStart("shape");
        for (long d : t.ne()) {
            g.writeNumber(d);
        }
        g.writeEndArray();
        g.writeStringField("type", t.type().name());
        number(g, "bytes", t.bytes() < 0 ? null : t.bytes());
        g.writeNumberField("offset", t.offset());
        if (part > 0) {
            g.writeNumberField("part", part);
        }
        g.writeEndObject();
    }

    private static void number(JsonGenerator g, String field, Long v) throws IOException {
        g.writeFieldName(field);
        if (v == null) {
            g.writeNull();
        } else {
            g.writeNumber(v);
        }
    }

    /** One value for the model, or an array with one value per layer. */
    private static void perLayer(JsonGenerator g, String field, ModelSummary.PerLayer p) throws IOException {
        g.writeFieldName(field);
        if (p == null) {
            g.writeNull();
        } else if (!p.perLayer()) {
            g.writeNumber(p.values()[0]);
        } else {
            g.writeStartArray();
            for (long v : p.values()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
        }
    }
}
