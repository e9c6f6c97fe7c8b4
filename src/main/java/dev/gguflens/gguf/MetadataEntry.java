package dev.gguflens.gguf;

/** One key/value pair of a GGUF header, with the byte offset of its record (for messages). */
public record MetadataEntry(String key, GgufValue value, long offset) {
    /** An entry built in memory, not read from a file. */
    public MetadataEntry(String key, GgufValue value) {
        this(key, value, -1);
    }
}
