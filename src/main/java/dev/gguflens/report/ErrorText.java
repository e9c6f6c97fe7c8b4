package dev.gguflens.report;

import dev.gguflens.sim.ErrorStats;
import dev.gguflens.sim.Interval;
import dev.gguflens.sim.Sampling;
import dev.gguflens.sim.SimulationResult;
import dev.gguflens.sim.TensorError;
import dev.gguflens.sim.TensorRole;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The error figures of a simulate report as text cells and lines, shared by the text and markdown
 * renderers. Relative RMSE reads as a percentage with three significant digits; a sampled estimate is
 * followed by {@code ±} the larger side of its 95% confidence interval, in the estimate's own decimals.
 */
final class ErrorText {
    /** Shown where a sample has no interval (too few sampled units). */
    static final String NO_INTERVAL = "±?";

    private ErrorText() {
    }

    /** {@code 5.83%}, {@code 5.83% ±0.12%} when sampled, {@code 0} for none, {@code ?} when unknown. */
    static String relative(ErrorStats s) {
        return withInterval(s.relativeRmse(), s.intervals() == null ? null : s.intervals().relativeRmse(), s.sampled(),
                ErrorText::percentDigits, "%");
    }

    /** The SNR in dB with one decimal ({@code 24.7}, {@code 24.7 ±0.3}); {@code inf} without error. */
    static String snr(ErrorStats s) {
        if (s.snrDb() == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        return withInterval(s.snrDb(), s.intervals() == null ? null : s.intervals().snrDb(), s.sampled(), v -> 1, "");
    }

    /** The largest |error| in three significant digits ({@code 2.79e-2}); {@code 0} for none. */
    static String maxAbs(ErrorStats s) {
        return sci(s.maxAbs());
    }

    /** A number in e-notation with three significant digits, {@code 0} for zero, {@code ?} for NaN. */
    static String sci(double v) {
        if (Double.isNaN(v)) {
            return "?";
        }
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.2e", v).replace("e-0", "e-").replace("e+0", "e").replace("e+", "e");
    }

    /** The model-level summary line: relative RMSE, SNR, cosine, RMSE, max |err| and the worst tensor. */
    static String modelLine(SimulationResult m) {
        ErrorStats e = m.model();
        StringBuilder b = new StringBuilder("relative RMSE ").append(relative(e)).append(", SNR ").append(snr(e)).append(" dB, cosine ")
                .append(cosine(e)).append(", RMSE ").append(withInterval(e.rmse(), e.intervals() == null ? null : e.intervals().rmse(),
                        e.sampled(), ErrorText::sciDigits, "")).append(", max |err| ").append(maxAbs(e));
        TensorError worst = m.worstTensor();
        if (worst != null && worst.error().relativeRmse() > 0) {
            b.append("; worst tensor ").append(worstCell(m));
        }
        return b.toString();
    }

    /** {@code blk.1.ffn_gate.weight (6.12%)}, or {@code -} when nothing lost anything. */
    static String worstCell(SimulationResult m) {
        TensorError worst = m.worstTensor();
        if (worst == null || !(worst.error().relativeRmse() > 0)) {
            return SimulateText.ABSENT;
        }
        return SafeText.escape(worst.name()) + " (" + relative(worst.error()) + ")";
    }

    /** The cosine similarity with five decimals (and its interval when sampled). */
    static String cosine(ErrorStats s) {
        return withInterval(s.cosine(), s.intervals() == null ? null : s.intervals().cosine(), s.sampled(), v -> 5, "");
    }

    /** Which tensors a sampled run measures in full (see {@code ErrorEngine.MIN_SAMPLED_UNITS}). */
    static final String IN_FULL = "tensors too small to sample, and kept ones, in full";

    /** What was measured: every value, or a sample of it; and against what. */
    static String measuredLine(SimulationResult m) {
        long kept = m.tensors().stream().filter(TensorError::kept).count();
        String counts = Units.count(m.tensors().size() - kept) + " converted, " + Units.count(kept) + " kept with zero error";
        Sampling s = m.sampling();
        String time = String.format(Locale.ROOT, "%.1f s", m.elapsedNanos() / 1e9);
        if (s == null) {
            return "every value: " + Units.count(m.model().n()) + " weights (" + counts + "), in " + time;
        }
        return "a " + fraction(s.fraction()) + " sample of blocks (seed " + s.seed() + "): " + Units.count(m.model().measured())
                + " of " + Units.count(m.model().n()) + " weights (" + counts + "; " + IN_FULL + "), in " + time
                + "; each estimate ± the larger side of its 95% confidence interval";
    }

    /** The line saying what a quantized source's errors are measured against. */
    static String againstLine() {
        return "the source's decoded values: it is already quantized, and the original weights are not in the file";
    }

    /** Rows of the per-role table: role, tensors, weights, relative RMSE, SNR, max |err|. */
    static List<String[]> roleRows(SimulationResult m) {
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<TensorRole, ErrorStats> e : m.byRole().entrySet()) {
            long n = m.tensors().stream().filter(t -> t.role() == e.getKey()).count();
            rows.add(statsRow(e.getKey().label(), n, e.getValue()));
        }
        return rows;
    }

    /** Rows of the per-layer table: layer, tensors, weights, relative RMSE, SNR, max |err|. */
    static List<String[]> layerRows(SimulationResult m) {
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<Integer, ErrorStats> e : m.byLayer().entrySet()) {
            long n = m.tensors().stream().filter(t -> t.layer() == e.getKey()).count();
            rows.add(statsRow(Integer.toString(e.getKey()), n, e.getValue()));
        }
        return rows;
    }

    static final List<String> STATS_HEADERS = List.of("TENSORS", "WEIGHTS", "REL RMSE", "SNR dB", "MAX |ERR|");

    private static String[] statsRow(String label, long tensors, ErrorStats s) {
        return new String[] {label, Units.count(tensors), Units.count(s.n()), relative(s), snr(s), maxAbs(s)};
    }

    /** What {@code --compare-imatrix}'s column means. */
    static final String COMPARE_NOTE = "REL RMSE: with the importance matrix. NO IMATRIX: the same file type quantized without it"
            + " (its own types where llama-quantize picks others without one); \"needs one\": llama-quantize refuses it without.";

    /** What the error columns mean, for the line under a table. */
    static String columnsNote(boolean sampled) {
        return "REL RMSE: relative RMSE, sqrt(sum d^2 / sum x^2) with d = source - round trip, over every weight it covers"
                + " (kept tensors count with zero error). SNR: 10 log10(sum x^2 / sum d^2). MAX |ERR|: the largest |d|"
                + (sampled ? " seen in the sample (a lower bound). ±: the larger side of the 95% confidence interval; "
                        + NO_INTERVAL + " where the sample is too small for one." : ".");
    }

    static String fraction(double f) {
        return BigDecimal.valueOf(f * 100).round(new MathContext(4)).stripTrailingZeros().toPlainString() + "%";
    }

    private static int percentDigits(double percent) {
        int magnitude = (int) Math.floor(Math.log10(percent));
        return Math.max(0, 2 - magnitude);
    }

    private static int sciDigits(double v) {
        return -1; // e-notation
    }

    /**
     * {@code value[unit]}, then when sampled {@code ±half[unit]} in the same number of decimals, where half is the
     * larger distance from the value to an end of the interval ({@link #NO_INTERVAL} without one).
     */
    private static String withInterval(double value, Interval interval, boolean sampled, Function<Double, Integer> digits, String unit) {
        if (Double.isNaN(value)) {
            return "?";
        }
        double scale = unit.equals("%") ? 100 : 1;
        double v = value * scale;
        if (v == 0 && (!sampled || interval != null && interval.low() == 0 && interval.high() == 0)) {
            return "0"; // no error, known exactly even from a sample (a kept tensor)
        }
        int d = v == 0 ? 2 : digits.apply(Math.abs(v));
        boolean tiny = unit.equals("%") && Math.abs(v) < 1e-3 && v != 0;
        String text = d < 0 || tiny ? sci(v) + unit : String.format(Locale.ROOT, "%." + d + "f", v) + unit;
        if (!sampled) {
            return text;
        }
        if (interval == null || !Double.isFinite(interval.low()) || !Double.isFinite(interval.high())) {
            return text + " " + NO_INTERVAL;
        }
        double half = Math.max(interval.high() * scale - v, v - interval.low() * scale);
        String h = d < 0 || tiny ? sci(half) : String.format(Locale.ROOT, "%." + d + "f", half);
        return text + " ±" + h + unit;
    }
}
