package dev.gguflens.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.gguflens.gguf.GgufArray;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;

/**
 * gguflens' JSON output conventions, shared by every command's {@code --json} (docs/json.md): pretty
 * printed, pure ASCII (every other character as a {@code \\u} escape, so no byte of the output can
 * act on a terminal and no encoding can mangle it), and GGUF values written exactly.
 */
public final class Json {
    /** The {@code schemaVersion} every command's JSON starts with. */
    public static final int SCHEMA_VERSION = 1;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build();

    private Json() {
    }

    /** A pretty-printing generator on {@code out}; closing it flushes but leaves {@code out} open. */
    public static JsonGenerator generator(Writer out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.setCharacterEscapes(new TerminalSafeEscapes());
        g.useDefaultPrettyPrinter();
        return g;
    }

    /**
     * Writes a metadata value: integers as exact numbers (UINT64 above 2^63 too), FLOAT32 in the shortest
     * form that reads back as the same float, NaN and infinities as the strings {@code "NaN"},
     * {@code "Infinity"}, {@code "-Infinity"}, strings as text, arrays as
     * {@code {"elementType", "count", "values"}} with every element.
     */
    public static void value(JsonGenerator g, GgufValue v) throws IOException {
        switch (v) {
            case GgufValue.Int i when i.exceedsLong() -> g.writeNumber(new BigInteger(Long.toUnsignedString(i.bits())));
            case GgufValue.Int i -> g.writeNumber(i.bits());
            case GgufValue.Real r -> real(g, r);
            case GgufValue.Bool b -> g.writeBoolean(b.value());
            case GgufValue.Str s -> g.writeString(s.text());
            case GgufArray a -> {
                g.writeStartObject();
                g.writeStringField("elementType", a.elementType().name());
                g.writeNumberField("count", a.count());
                g.writeArrayFieldStart("values");
                for (GgufValue e : a) {
                    value(g, e);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
        }
    }

    private static void real(JsonGenerator g, GgufValue.Real r) throws IOException {
        double d = r.value();
        if (Double.isNaN(d)) {
            g.writeString("NaN");
        } else if (Double.isInfinite(d)) {
            g.writeString(d > 0 ? "Infinity" : "-Infinity");
        } else if (r.type() == GgufValueType.FLOAT32) {
            g.writeNumber((float) d); // Float.toString: the shortest decimal that parses back to this float
        } else {
            g.writeNumber(d);
        }
    }

    /** JSON's own escapes, plus DEL, which JSON allows raw but a terminal must not receive. */
    private static final class TerminalSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii;

        TerminalSafeEscapes() {
            ascii = standardAsciiEscapesForJSON();
            ascii[0x7F] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return null; // non-ASCII is escaped by ESCAPE_NON_ASCII
        }
    }
}
