package dev.gguflens.memory;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A memory size as people write it, to bytes: {@code 24GiB}, {@code 24G}, {@code 24000MiB}, {@code 1.5TiB},
 * {@code 25769803776}. {@code K M G T} and {@code KiB MiB GiB TiB} are powers of 1024 (as {@code java -Xmx} and
 * llama.cpp's MiB read); {@code KB MB GB TB} are powers of 1000, as the SI has them. Case does not matter; a
 * fraction of a byte is dropped.
 */
public final class MemorySize {
    private static final Pattern SIZE = Pattern.compile("\\s*(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*([a-zA-Z]*)\\s*");

    private MemorySize() {
    }

    /** The bytes {@code text} means; a malformed, zero or too large size is an {@link IllegalArgumentException} saying so. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw invalid(text);
        }
        BigDecimal unit = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "", "B" -> BigDecimal.ONE;
            case "K", "KIB" -> BigDecimal.valueOf(1L << 10);
            case "M", "MIB" -> BigDecimal.valueOf(1L << 20);
            case "G", "GIB" -> BigDecimal.valueOf(1L << 30);
            case "T", "TIB" -> BigDecimal.valueOf(1L << 40);
            case "KB" -> BigDecimal.valueOf(1_000L);
            case "MB" -> BigDecimal.valueOf(1_000_000L);
            case "GB" -> BigDecimal.valueOf(1_000_000_000L);
            case "TB" -> BigDecimal.valueOf(1_000_000_000_000L);
            default -> throw invalid(text);
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(unit).setScale(0, RoundingMode.FLOOR);
        if (bytes.signum() <= 0) {
            throw new IllegalArgumentException("memory size '" + text.strip() + "' is less than one byte");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("memory size '" + text.strip() + "' is too large");
        }
        return bytes.longValueExact();
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid memory size '" + text.strip() + "': write a number and a unit, e.g. 24GiB, 24G,"
                + " 24000MiB, or bytes (K M G T and KiB MiB GiB TiB are powers of 1024, KB MB GB TB of 1000)");
    }
}
