package dev.gguflens.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A memory size as people write it on a command line: {@code 24GiB}, {@code 24G}, {@code 1500MiB},
 * {@code 1.5 GiB}, or a number of bytes. The binary units (KiB, MiB, GiB, TiB) and their one-letter
 * short forms (K, M, G, T, as in Java's -Xmx) count in powers of 1024; KB, MB, GB and TB are the decimal
 * units (powers of 1000), as disk and download sizes are given. Case does not matter.
 */
final class MemorySize {
    private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-z]*)\\s*");

    private MemorySize() {
    }

    /** The size in bytes (fractions of a byte dropped); an {@link IllegalArgumentException} saying what is wrong otherwise. */
    static long parse(String text) {
        Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size: write a number and a unit, e.g. 24GiB, 24G, 1500MiB,"
                    + " or a number of bytes");
        }
        BigDecimal unit = switch (m.group(2)) {
            case "", "b" -> BigDecimal.ONE;
            case "k", "kib" -> BigDecimal.valueOf(1L << 10);
            case "m", "mib" -> BigDecimal.valueOf(1L << 20);
            case "g", "gib" -> BigDecimal.valueOf(1L << 30);
            case "t", "tib" -> BigDecimal.valueOf(1L << 40);
            case "kb" -> BigDecimal.valueOf(1_000L);
            case "mb" -> BigDecimal.valueOf(1_000_000L);
            case "gb" -> BigDecimal.valueOf(1_000_000_000L);
            case "tb" -> BigDecimal.valueOf(1_000_000_000_000L);
            default -> throw new IllegalArgumentException("'" + text + "': unknown unit '" + m.group(2)
                    + "' (valid: B, KiB, MiB, GiB, TiB or K, M, G, T in powers of 1024; KB, MB, GB, TB in powers of 1000)");
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(unit);
        if (bytes.compareTo(BigDecimal.ONE) < 0) {
            throw new IllegalArgumentException("'" + text + "': a memory size must be at least 1 byte");
        }
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return bytes.longValue();
    }

    /** Converts an option's value, failing as a usage error (exit 2) with the reason. */
    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
