package dev.gguflens.quant.ref;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Reads one of ggml's lookup tables from a text file in the resource folder {@code dev/gguflens/quant/grids/}.
 *
 * <p>The format is that of reference/grids: header lines {@code # key: value} (table name, element type,
 * count, source, version, licence, and the sha256 of the table packed as little-endian values), then
 * exactly {@code count} values, one a line ({@code 0x}-hex for {@code uint32_t}/{@code uint64_t}, decimal
 * for {@code uint8_t}/{@code uint16_t}). The result is the packed little-endian byte image, so byte {@code i} of entry
 * {@code j} of an 8-byte grid is at {@code 8j + i}: element i of that group, as ggml reads it. The
 * header's sha256 is checked, so a damaged or hand-edited file fails loudly instead of decoding wrong.
 */
final class GridFile {
    static final String RESOURCE_DIR = "/dev/gguflens/quant/grids/";

    private GridFile() {
    }

    /**
     * The packed table in resource {@code file}, which must declare {@code elementType} and {@code count}.
     *
     * @throws IllegalStateException when the resource is missing or does not match its header (a build defect)
     */
    static byte[] load(String file, String elementType, int count) {
        try (InputStream in = GridFile.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("grid table " + file + " is missing from the jar (" + RESOURCE_DIR + ")");
            }
            return parse(file, in, elementType, count);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read grid table " + file, e);
        }
    }

    /** Parses and checks a table; {@code name} only labels error messages. */
    static byte[] parse(String name, InputStream in, String elementType, int count) throws IOException {
        int width = switch (elementType) {
            case "uint8_t" -> 1;
            case "uint16_t" -> 2;
            case "uint32_t" -> 4;
            case "uint64_t" -> 8;
            default -> throw new IllegalArgumentException("unsupported element type " + elementType);
        };
        Map<String, String> header = new HashMap<>();
        byte[] packed = new byte[count * width];
        int n = 0;
        int lineNo = 0;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (line.startsWith("#")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    header.putIfAbsent(line.substring(1, colon).trim(), line.substring(colon + 1).trim());
                }
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            if (n == count) {
                throw bad(name, lineNo, "more than the " + count + " values its header declares");
            }
            long v = parseValue(name, lineNo, line.trim(), width);
            for (int i = 0; i < width; i++) {
                packed[n * width + i] = (byte) (v >>> (8 * i));
            }
            n++;
        }
        String declaredType = header.getOrDefault("element type", "");
        if (!declaredType.startsWith(elementType + " ") && !declaredType.equals(elementType)) {
            throw bad(name, 0, "element type is '" + declaredType + "', expected " + elementType);
        }
        if (!String.valueOf(count).equals(header.get("count"))) {
            throw bad(name, 0, "count is " + header.get("count") + ", expected " + count);
        }
        if (n != count) {
            throw bad(name, lineNo, "has " + n + " values, its header declares " + count);
        }
        String expected = header.get("sha256 of the table as packed little-endian " + elementType);
        String actual = sha256(packed);
        if (!actual.equals(expected)) {
            throw bad(name, 0, "values hash to " + actual + " but the header says " + expected);
        }
        return packed;
    }

    private static long parseValue(String name, int lineNo, String s, int width) {
        try {
            // the one- and two-byte tables are written in decimal, the wider ones in hex
            boolean decimal = width <= 2;
            long v = decimal ? Long.parseLong(s) : Long.parseUnsignedLong(hexDigits(s, width), 16);
            if (decimal && (v < 0 || v >= 1L << (8 * width))) {
                throw bad(name, lineNo, "value " + s + " is not a uint" + 8 * width + "_t");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(name, lineNo, "cannot read value '" + s + "'");
        }
    }

    private static String hexDigits(String s, int width) {
        if (!s.startsWith("0x") || s.length() != 2 + 2 * width) {
            throw new NumberFormatException(s);
        }
        return s.substring(2);
    }

    private static IllegalStateException bad(String name, int lineNo, String what) {
        return new IllegalStateException("grid table " + name + (lineNo > 0 ? " line " + lineNo : "") + ": " + what);
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
