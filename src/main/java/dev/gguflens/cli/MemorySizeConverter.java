package dev.gguflens.cli;

import dev.gguflens.memory.MemorySize;
import picocli.CommandLine;

/** Reads a {@code --memory SIZE} option ({@link MemorySize}); a bad size is a usage error (exit 2) with its reason. */
final class MemorySizeConverter implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
        try {
            return MemorySize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
