package dev.gguflens.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A logarithmic plot axis: values from {@code lo} to {@code hi} drawn from pixel {@code from} to pixel
 * {@code to}, with the ticks people read easily on it: file sizes in binary units at powers of two (or at
 * round steps when the range is narrow), errors as percentages at 1, 2 and 5 of each decade.
 *
 * @param lo    the value at {@code from}, positive
 * @param hi    the value at {@code to}, greater than {@code lo}
 * @param from  the pixel of {@code lo}
 * @param to    the pixel of {@code hi} (smaller than {@code from} for an upward axis)
 * @param ticks the ticks, by value
 */
record PlotAxis(double lo, double hi, double from, double to, List<Tick> ticks) {

    private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    /**
     * A tick mark.
     *
     * @param value the value it marks
     * @param label its text, or null for an unlabelled (minor) tick
     * @param major a main tick (powers of two, decades): a stronger grid line
     */
    record Tick(double value, String label, boolean major) {
    }

    PlotAxis {
        ticks = List.copyOf(ticks);
    }

    /** The pixel of {@code v} (any positive value, also outside the range). */
    double pixel(double v) {
        return from + (to - from) * (Math.log(v / lo) / Math.log(hi / lo));
    }

    /** Whether {@code v} lies within the axis' range. */
    boolean covers(double v) {
        return v >= lo && v <= hi;
    }

    /**
     * A file-size axis over {@code min..max} bytes, widened by a small margin on each side so no point sits
     * on the frame: powers of two when it spans two octaves or more, else round steps in one unit.
     */
    static PlotAxis sizes(double min, double max, double from, double to) {
        double margin = Math.max(1.06, Math.pow(max / min, 0.04));
        if (max / min < 1.2) {
            margin = Math.sqrt(1.2 * min / max) * 1.06; // one point, or points close together: show a useful width
        }
        double lo = min / margin;
        double hi = max * margin;
        return new PlotAxis(lo, hi, from, to, sizeTicks(lo, hi));
    }

    /**
     * An error axis over {@code min..max} (relative errors, shown in percent): widened to the nearest 1, 2 or 5 of a decade
     * beyond a small margin, so the frame itself is labelled.
     */
    static PlotAxis errors(double min, double max, double from, double to) {
        double lo = niceBelow(min / 1.12);
        double hi = niceAbove(max * 1.12);
        return new PlotAxis(lo, hi, from, to, errorTicks(lo, hi));
    }

    /** Size ticks in {@code lo..hi}: powers of two over wide ranges, else round steps. */
    static List<Tick> sizeTicks(double lo, double hi) {
        List<Tick> ticks = new ArrayList<>();
        int first = (int) Math.ceil(Math.log(lo) / Math.log(2) - 1e-9);
        int last = (int) Math.floor(Math.log(hi) / Math.log(2) + 1e-9);
        int octaves = last - first + 1;
        if (octaves >= 3) {
            int stride = 1;
            while (octaves / stride > 9) {
                stride *= 2;
            }
            for (int k = first; k <= last; k++) {
                if (Math.floorMod(k, stride) == 0) {
                    ticks.add(new Tick(Math.scalb(1.0, k), binary(Math.scalb(1.0, k), 0), true));
                } else {
                    ticks.add(new Tick(Math.scalb(1.0, k), null, false));
                }
                // Between two labelled powers, 1.5x (768 MiB, 24 GiB): labelled on short ranges where it fits.
                double mid = Math.scalb(1.5, k);
                if (stride == 1 && mid <= hi) {
                    ticks.add(new Tick(mid, octaves <= 5 ? binary(mid, 1) : null, false));
                }
            }
            double before = Math.scalb(1.5, first - 1);
            if (stride == 1 && before >= lo) {
                ticks.add(0, new Tick(before, octaves <= 5 ? binary(before, 1) : null, false));
            }
            return ticks;
        }
        // A narrow range: steps of 1, 2, 2.5 or 5 x 10^k in the unit of the upper end, about five of them.
        int unit = unitOf(hi);
        double scale = Math.pow(1024, unit);
        double span = (hi - lo) / scale;
        double step = niceStep(span / 5);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9)) + (isQuarter(step) ? 1 : 0);
        for (long i = (long) Math.ceil(lo / scale / step - 1e-9); i * step * scale <= hi; i++) {
            double v = i * step * scale;
            if (v >= lo) {
                ticks.add(new Tick(v, plain(i * step, decimals) + " " + BINARY[unit], true));
            }
        }
        return ticks;
    }

    /** Error ticks in {@code lo..hi}: each decade labelled, and 2 and 5 of it labelled too unless the range spans many. */
    static List<Tick> errorTicks(double lo, double hi) {
        List<Tick> ticks = new ArrayList<>();
        int first = (int) Math.floor(Math.log10(lo) + 1e-9);
        int last = (int) Math.ceil(Math.log10(hi) - 1e-9);
        boolean labelMinor = last - first <= 4;
        for (int k = first; k <= last; k++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = m * Math.pow(10, k);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) {
                    ticks.add(new Tick(v, m == 1 || labelMinor ? percent(v) : null, m == 1));
                }
            }
        }
        return ticks;
    }

    /** {@code v} (a fraction) as a percentage without trailing zeros: {@code 0.05%}, {@code 2%}, {@code 100%}. */
    static String percent(double v) {
        return new BigDecimal(v * 100).round(new MathContext(3)).stripTrailingZeros().toPlainString() + "%";
    }

    /** A byte count in its binary unit with at most {@code decimals} decimals, trailing zeros dropped: {@code 1.5 GiB}, {@code 512 MiB}. */
    static String binary(double bytes, int decimals) {
        int unit = unitOf(bytes);
        return plain(bytes / Math.pow(1024, unit), decimals) + " " + BINARY[unit];
    }

    private static int unitOf(double bytes) {
        int unit = 0;
        while (unit < BINARY.length - 1 && bytes >= Math.pow(1024, unit + 1) * (1 - 1e-12)) {
            unit++;
        }
        return unit;
    }

    private static String plain(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    /** The step among 1, 2, 2.5 and 5 x 10^k nearest above {@code raw}. */
    private static double niceStep(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= raw * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static boolean isQuarter(double step) {
        double m = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        return Math.abs(m - 2.5) < 1e-6;
    }

    /** The largest 1, 2 or 5 x 10^k at most {@code v}. */
    static double niceBelow(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        double best = p;
        for (double m : new double[] {1, 2, 5}) {
            if (m * p <= v * (1 + 1e-9)) {
                best = m * p;
            }
        }
        return best;
    }

    /** The smallest 1, 2 or 5 x 10^k at least {@code v}. */
    static double niceAbove(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v * (1 - 1e-9)) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
