package dev.gguflens.plan;

import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.gguf.MetadataEntry;
import java.util.List;

/**
 * What llama-quantize would write for one file type, or why it would refuse.
 *
 * @param source            the source file (path or name)
 * @param ftype             the target file type
 * @param options           the options planned with
 * @param status            ok, or failed when llama-quantize would refuse the run
 * @param message           when failed, llama-quantize's reason (its wording, plus the tensor where it has one); else null
 * @param tensors           the output's tensors in output order (empty when failed)
 * @param metadata          the output's metadata in order (empty when failed); array values are views of the
 *                          source file's mapping, usable only while the source {@code GgufFile} is open
 * @param headerBytes       the output header's length before padding (0 when failed)
 * @param dataOffset        where the data section starts: the header padded to 32 bytes (0 when failed)
 * @param fileBytes         the output file's size (0 when failed)
 * @param tensorBytes       the sum of the tensors' unpadded sizes, llama.cpp's "quant size" (0 when failed)
 * @param sourceTensorBytes the sum of the source tensors' sizes, llama.cpp's "model size"
 * @param parameterCount    the element count of every source tensor, as llama.cpp counts for bits per weight
 * @param fallbackCount     how many tensors needed the row-length fallback
 * @param warnings          llama-quantize's warnings for this run (e.g. the fallback count), one line each
 */
public record Plan(String source, LlamaFileType ftype, QuantizeOptions options, Status status, String message,
                   List<PlannedTensor> tensors, List<MetadataEntry> metadata, long headerBytes, long dataOffset, long fileBytes,
                   long tensorBytes, long sourceTensorBytes, long parameterCount, int fallbackCount, List<String> warnings) {

    /** Whether llama-quantize would complete the run. */
    public enum Status { OK, FAILED }

    public Plan {
        tensors = List.copyOf(tensors);
        metadata = List.copyOf(metadata);
        warnings = List.copyOf(warnings);
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** Bits per weight as llama.cpp logs it: tensor bytes x 8 / parameter count (0 when failed or empty). */
    public double bitsPerWeight() {
        return !ok() || parameterCount == 0 ? 0 : tensorBytes * 8.0 / parameterCount;
    }

    /** The source's bits per weight on the same basis (llama.cpp's "model size ... BPW"). */
    public double sourceBitsPerWeight() {
        return parameterCount == 0 ? 0 : sourceTensorBytes * 8.0 / parameterCount;
    }
}
