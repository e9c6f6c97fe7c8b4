package dev.gguflens.report;

import dev.gguflens.imatrix.ImatrixEntry;
import dev.gguflens.imatrix.ImatrixFile;
import dev.gguflens.plan.ImatrixCoverage;
import java.nio.file.Path;

/**
 * What {@code gguflens inspect IMATRIX} shows: the importance matrix as llama-quantize reads it and, with
 * {@code --model FILE}, which of that model's weights it covers.
 *
 * @param file      the imatrix file
 * @param fileBytes its size
 * @param imatrix   the importance matrix read from it
 * @param model     the model given with {@code --model}, or null
 * @param coverage  the model's weights against the entries, or null without {@code --model}
 */
public record ImatrixReport(Path file, long fileBytes, ImatrixFile imatrix, Path model, ImatrixCoverage coverage) {

    /** All values of every entry. */
    public long values() {
        return imatrix.entries().values().stream().mapToLong(e -> e.values().length).sum();
    }

    /** Slices (experts) of every entry that never saw a token. */
    public long zeroCountSlices() {
        return imatrix.entries().values().stream().mapToLong(ImatrixEntry::zeroCountSlices).sum();
    }

    /** The smallest value over all entries (NaN without values). */
    public double min() {
        return imatrix.entries().values().stream().mapToDouble(ImatrixEntry::min).min().orElse(Double.NaN);
    }

    /** The largest value over all entries (NaN without values). */
    public double max() {
        return imatrix.entries().values().stream().mapToDouble(ImatrixEntry::max).max().orElse(Double.NaN);
    }
}
