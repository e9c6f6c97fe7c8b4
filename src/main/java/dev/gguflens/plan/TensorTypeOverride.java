package dev.gguflens.plan;

import dev.gguflens.gguf.GgmlType;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One {@code --tensor-type PATTERN=TYPE}: a regular expression searched anywhere in a tensor name
 * (not matched against the whole name) and the type it forces. As llama-quantize parses it: split at
 * the first '=', the pattern lower-cased (ASCII only, as C's {@code tolower}), the type matched against
 * ggml's type names in any case (llama-quantize-rules.md §9).
 */
public final class TensorTypeOverride {
    private final String pattern;
    private final GgmlType type;
    private final Pattern regex;

    private TensorTypeOverride(String pattern, GgmlType type, Pattern regex) {
        this.pattern = pattern;
        this.type = type;
        this.regex = regex;
    }

    /**
     * Parses {@code PATTERN=TYPE}, refusing what llama-quantize refuses (no '=', no pattern, no type, an
     * unknown type) with its wording, and a pattern that is not a valid regular expression.
     *
     * @throws IllegalArgumentException with a one-line message naming the argument
     */
    public static TensorTypeOverride parse(String arg) {
        int eq = arg.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("malformed tensor type '" + arg + "': expected PATTERN=TYPE");
        }
        if (eq == 0) {
            throw new IllegalArgumentException("missing tensor name in tensor type '" + arg + "'");
        }
        if (eq == arg.length() - 1) {
            throw new IllegalArgumentException("missing quantization type in tensor type '" + arg + "'");
        }
        String typeName = arg.substring(eq + 1);
        GgmlType type = GgmlType.byName(typeName).filter(t -> t.name().equalsIgnoreCase(typeName))
                .orElseThrow(() -> new IllegalArgumentException("invalid quantization type '" + typeName + "' in tensor type '" + arg + "'"));
        return of(arg.substring(0, eq), type);
    }

    /** An override from its parts; the pattern is lower-cased as llama-quantize does. */
    public static TensorTypeOverride of(String pattern, GgmlType type) {
        String lowered = asciiLowerCase(pattern);
        try {
            return new TensorTypeOverride(lowered, type, Pattern.compile(lowered));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + lowered + "' in --tensor-type: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** The pattern, lower-cased. */
    public String pattern() {
        return pattern;
    }

    public GgmlType type() {
        return type;
    }

    /** Whether the pattern is found anywhere in the name ({@code std::regex_search}). */
    public boolean matches(String tensorName) {
        return regex.matcher(tensorName).find();
    }

    /** As typed on llama-quantize's command line: {@code attn_v=q8_0}. */
    @Override
    public String toString() {
        return pattern + "=" + type.ggmlName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorTypeOverride t && t.pattern.equals(pattern) && t.type.equals(type);
    }

    @Override
    public int hashCode() {
        return pattern.hashCode() * 31 + type.hashCode();
    }

    private static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }
}
