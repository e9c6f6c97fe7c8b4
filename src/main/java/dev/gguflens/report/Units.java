package dev.gguflens.report;

import java.util.Locale;

/** Number formats for people: byte sizes in binary units, counts with digit grouping, llama.cpp's parameter scale. */
public final class Units {
    private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Units() {
    }

    /** A byte size in binary units with two decimals ({@code 2.75 MiB}); under 1 KiB in bytes ({@code 20 B}). */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int unit = -1;
        while (v >= 1024 && unit < BINARY.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, BINARY[unit]);
    }

    /**
     * Bytes in MiB with two decimals, as llama.cpp prints its buffers ({@code "%8.2f MiB"} of bytes / 1024 / 1024):
     * the quotient is exact, and C's printf rounds an exact tie to even (1,179,648 bytes, 1.125 MiB, is
     * {@code 1.12}), which {@code String.format} would not. Negative sizes keep their sign.
     */
    public static String mib(long n) {
        return binary(n, 20);
    }

    /** Bytes in GiB with two decimals, rounded as {@link #mib} ({@code 24.00}). */
    public static String gib(long n) {
        return binary(n, 30);
    }

    private static String binary(long n, int shift) {
        // n / 2^shift to two decimals, half to even, in integer arithmetic: hundredths = n x 100 / 2^shift
        long magnitude = Math.abs(n);
        if (magnitude > Long.MAX_VALUE / 100) {
            return new java.math.BigDecimal(n).divide(java.math.BigDecimal.valueOf(1L << shift))
                    .setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
        }
        long scaled = magnitude * 100;
        long hundredths = scaled >> shift;
        long rest = scaled - (hundredths << shift);
        long half = 1L << (shift - 1);
        if (rest > half || (rest == half && (hundredths & 1) == 1)) {
            hundredths++;
        }
        String digits = String.format(Locale.ROOT, "%d.%02d", hundredths / 100, hundredths % 100);
        return n < 0 && hundredths != 0 ? "-" + digits : digits;
    }

    /** A size for a summary: {@code 2.75 MiB (2,888,704 bytes)}, or just {@code 152 bytes} under 1 KiB. */
    public static String bytesExact(long n) {
        return n < 1024 ? n + " bytes" : bytes(n) + " (" + count(n) + " bytes)";
    }

    /** A count with thousands grouped by commas ({@code 1,443,072}). */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A parameter count as llama.cpp prints it: decimal K, M, B or T with two decimals ({@code 1.44 M}). */
    public static String parameters(long n) {
        if (n >= 1_000_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f T", n * 1e-12);
        }
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n * 1e-9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n * 1e-6);
        }
        return String.format(Locale.ROOT, "%.2f K", n * 1e-3);
    }

    /** A share 0..1 as a percentage with one decimal ({@code 95.5%}). */
    public static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
