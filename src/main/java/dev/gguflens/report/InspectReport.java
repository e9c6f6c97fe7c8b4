package dev.gguflens.report;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.ModelSummary;
import dev.gguflens.gguf.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code gguflens inspect} shows of one file: the file (open while it is rendered: array values
 * are views of its mapping), its summary, and which sections to include.
 *
 * @param file         the file, open
 * @param summary      its summary
 * @param showMetadata whether to list the metadata
 * @param tensors      the tensors to list (all, or those matching {@code tensorFilter}), or null to omit the section
 * @param tensorFilter the regular expression the tensor names were filtered with, or null
 * @param fullValues   whether text and markdown show every array element and whole strings
 */
public record InspectReport(GgufFile file, ModelSummary summary, boolean showMetadata, List<TensorInfo> tensors,
                            String tensorFilter, boolean fullValues) {

    /** The reader's warnings followed by the summary's problems: everything the user should know is odd. */
    public List<String> warnings() {
        List<String> all = new ArrayList<>(file.warnings());
        all.addAll(summary.problems());
        return all;
    }
}
