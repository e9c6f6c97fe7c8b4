package dev.gguflens.gguf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A {@code llama_ftype} (the value of {@code general.file_type}): id, enum name, llama.cpp's label and
 * default tensor type, as the pinned build's {@code llama_ftype_name} and
 * {@code llama_ftype_get_default_type} return them.
 *
 * @param id          the enum value stored in {@code general.file_type}
 * @param enumName    llama.cpp's enum name without {@code LLAMA_FTYPE_}, e.g. {@code MOSTLY_Q4_K_M}
 * @param shortName   the name users type, e.g. {@code Q4_K_M} ({@code F32} for {@code ALL_F32})
 * @param label       {@code llama_ftype_name}, e.g. {@code Q4_K - Medium}
 * @param defaultType the base tensor type, or null where the build has none (removed ids, NVFP4)
 * @param removed     an id retired from llama.cpp; files may still carry it
 */
public record LlamaFileType(int id, String enumName, String shortName, String label, GgmlType defaultType, boolean removed) {

    /** The flag llama.cpp ORs onto a file type it guessed from the tensor types. */
    public static final int GUESSED = 1024;

    private static final List<LlamaFileType> ALL = new ArrayList<>();

    public static final LlamaFileType ALL_F32 = add(0, "ALL_F32", "F32", "all F32", GgmlType.F32);
    public static final LlamaFileType MOSTLY_F16 = add(1, "MOSTLY_F16", "F16", "F16", GgmlType.F16);
    public static final LlamaFileType MOSTLY_Q4_0 = add(2, "MOSTLY_Q4_0", "Q4_0", "Q4_0", GgmlType.Q4_0);
    public static final LlamaFileType MOSTLY_Q4_1 = add(3, "MOSTLY_Q4_1", "Q4_1", "Q4_1", GgmlType.Q4_1);
    public static final LlamaFileType MOSTLY_Q4_1_SOME_F16 = removed(4, "MOSTLY_Q4_1_SOME_F16", "Q4_1_SOME_F16");
    public static final LlamaFileType MOSTLY_Q4_2 = removed(5, "MOSTLY_Q4_2", "Q4_2");
    public static final LlamaFileType MOSTLY_Q4_3 = removed(6, "MOSTLY_Q4_3", "Q4_3");
    public static final LlamaFileType MOSTLY_Q8_0 = add(7, "MOSTLY_Q8_0", "Q8_0", "Q8_0", GgmlType.Q8_0);
    public static final LlamaFileType MOSTLY_Q5_0 = add(8, "MOSTLY_Q5_0", "Q5_0", "Q5_0", GgmlType.Q5_0);
    public static final LlamaFileType MOSTLY_Q5_1 = add(9, "MOSTLY_Q5_1", "Q5_1", "Q5_1", GgmlType.Q5_1);
    public static final LlamaFileType MOSTLY_Q2_K = add(10, "MOSTLY_Q2_K", "Q2_K", "Q2_K - Medium", GgmlType.Q2_K);
    public static final LlamaFileType MOSTLY_Q3_K_S = add(11, "MOSTLY_Q3_K_S", "Q3_K_S", "Q3_K - Small", GgmlType.Q3_K);
    public static final LlamaFileType MOSTLY_Q3_K_M = add(12, "MOSTLY_Q3_K_M", "Q3_K_M", "Q3_K - Medium", GgmlType.Q3_K);
    public static final LlamaFileType MOSTLY_Q3_K_L = add(13, "MOSTLY_Q3_K_L", "Q3_K_L", "Q3_K - Large", GgmlType.Q3_K);
    public static final LlamaFileType MOSTLY_Q4_K_S = add(14, "MOSTLY_Q4_K_S", "Q4_K_S", "Q4_K - Small", GgmlType.Q4_K);
    public static final LlamaFileType MOSTLY_Q4_K_M = add(15, "MOSTLY_Q4_K_M", "Q4_K_M", "Q4_K - Medium", GgmlType.Q4_K);
    public static final LlamaFileType MOSTLY_Q5_K_S = add(16, "MOSTLY_Q5_K_S", "Q5_K_S", "Q5_K - Small", GgmlType.Q5_K);
    public static final LlamaFileType MOSTLY_Q5_K_M = add(17, "MOSTLY_Q5_K_M", "Q5_K_M", "Q5_K - Medium", GgmlType.Q5_K);
    public static final LlamaFileType MOSTLY_Q6_K = add(18, "MOSTLY_Q6_K", "Q6_K", "Q6_K", GgmlType.Q6_K);
    public static final LlamaFileType MOSTLY_IQ2_XXS = add(19, "MOSTLY_IQ2_XXS", "IQ2_XXS", "IQ2_XXS - 2.0625 bpw", GgmlType.IQ2_XXS);
    public static final LlamaFileType MOSTLY_IQ2_XS = add(20, "MOSTLY_IQ2_XS", "IQ2_XS", "IQ2_XS - 2.3125 bpw", GgmlType.IQ2_XS);
    public static final LlamaFileType MOSTLY_Q2_K_S = add(21, "MOSTLY_Q2_K_S", "Q2_K_S", "Q2_K - Small", GgmlType.Q2_K);
    public static final LlamaFileType MOSTLY_IQ3_XS = add(22, "MOSTLY_IQ3_XS", "IQ3_XS", "IQ3_XS - 3.3 bpw", GgmlType.IQ3_S);
    public static final LlamaFileType MOSTLY_IQ3_XXS = add(23, "MOSTLY_IQ3_XXS", "IQ3_XXS", "IQ3_XXS - 3.0625 bpw", GgmlType.IQ3_XXS);
    public static final LlamaFileType MOSTLY_IQ1_S = add(24, "MOSTLY_IQ1_S", "IQ1_S", "IQ1_S - 1.5625 bpw", GgmlType.IQ1_S);
    public static final LlamaFileType MOSTLY_IQ4_NL = add(25, "MOSTLY_IQ4_NL", "IQ4_NL", "IQ4_NL - 4.5 bpw", GgmlType.IQ4_NL);
    public static final LlamaFileType MOSTLY_IQ3_S = add(26, "MOSTLY_IQ3_S", "IQ3_S", "IQ3_S - 3.4375 bpw", GgmlType.IQ3_S);
    public static final LlamaFileType MOSTLY_IQ3_M = add(27, "MOSTLY_IQ3_M", "IQ3_M", "IQ3_S mix - 3.66 bpw", GgmlType.IQ3_S);
    public static final LlamaFileType MOSTLY_IQ2_S = add(28, "MOSTLY_IQ2_S", "IQ2_S", "IQ2_S - 2.5 bpw", GgmlType.IQ2_XS);
    public static final LlamaFileType MOSTLY_IQ2_M = add(29, "MOSTLY_IQ2_M", "IQ2_M", "IQ2_M - 2.7 bpw", GgmlType.IQ2_S);
    public static final LlamaFileType MOSTLY_IQ4_XS = add(30, "MOSTLY_IQ4_XS", "IQ4_XS", "IQ4_XS - 4.25 bpw", GgmlType.IQ4_XS);
    public static final LlamaFileType MOSTLY_IQ1_M = add(31, "MOSTLY_IQ1_M", "IQ1_M", "IQ1_M - 1.75 bpw", GgmlType.IQ1_M);
    public static final LlamaFileType MOSTLY_BF16 = add(32, "MOSTLY_BF16", "BF16", "BF16", GgmlType.BF16);
    public static final LlamaFileType MOSTLY_Q4_0_4_4 = removed(33, "MOSTLY_Q4_0_4_4", "Q4_0_4_4");
    public static final LlamaFileType MOSTLY_Q4_0_4_8 = removed(34, "MOSTLY_Q4_0_4_8", "Q4_0_4_8");
    public static final LlamaFileType MOSTLY_Q4_0_8_8 = removed(35, "MOSTLY_Q4_0_8_8", "Q4_0_8_8");
    public static final LlamaFileType MOSTLY_TQ1_0 = add(36, "MOSTLY_TQ1_0", "TQ1_0", "TQ1_0 - 1.69 bpw ternary", GgmlType.TQ1_0);
    public static final LlamaFileType MOSTLY_TQ2_0 = add(37, "MOSTLY_TQ2_0", "TQ2_0", "TQ2_0 - 2.06 bpw ternary", GgmlType.TQ2_0);
    public static final LlamaFileType MOSTLY_MXFP4_MOE = add(38, "MOSTLY_MXFP4_MOE", "MXFP4_MOE", "MXFP4 MoE", GgmlType.MXFP4);
    /** Exists in the enum, but the pinned build has no default type for it and refuses it as a target. */
    public static final LlamaFileType MOSTLY_NVFP4 = add(39, "MOSTLY_NVFP4", "NVFP4", "NVFP4", null);
    public static final LlamaFileType MOSTLY_Q1_0 = add(40, "MOSTLY_Q1_0", "Q1_0", "Q1_0", GgmlType.Q1_0);
    public static final LlamaFileType MOSTLY_Q2_0 = add(41, "MOSTLY_Q2_0", "Q2_0", "Q2_0", GgmlType.Q2_0);

    private static LlamaFileType add(int id, String enumName, String shortName, String label, GgmlType type) {
        LlamaFileType f = new LlamaFileType(id, enumName, shortName, label, type, false);
        ALL.add(f);
        return f;
    }

    private static LlamaFileType removed(int id, String enumName, String shortName) {
        LlamaFileType f = new LlamaFileType(id, enumName, shortName, "unknown, may not work", null, true);
        ALL.add(f);
        return f;
    }

    /** Every id the pinned build's enum defines, removed ones included, in id order. */
    public static List<LlamaFileType> all() {
        return Collections.unmodifiableList(ALL);
    }

    /** The ftypes llama.cpp still defines (not removed), in id order. */
    public static List<LlamaFileType> current() {
        return ALL.stream().filter(f -> !f.removed).toList();
    }

    /** The ftype with this id, the {@link #GUESSED} flag ignored; empty for ids the build does not define. */
    public static Optional<LlamaFileType> byId(long id) {
        long base = id & ~(long) GUESSED;
        return ALL.stream().filter(f -> f.id == base).findFirst();
    }

    /**
     * Parses a file type as users write it: the short name ({@code Q4_K_M}), the enum name
     * ({@code MOSTLY_Q4_K_M}, {@code ALL_F32}, optionally with {@code LLAMA_FTYPE_}), or the number; any case.
     */
    public static Optional<LlamaFileType> parse(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith("LLAMA_FTYPE_")) {
            s = s.substring("LLAMA_FTYPE_".length());
        }
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() < 6) {
            return byId(Integer.parseInt(s)).filter(f -> !f.removed);
        }
        String name = s;
        return ALL.stream()
                .filter(f -> !f.removed)
                .filter(f -> f.enumName.equals(name) || f.shortName.equals(name))
                .findFirst();
    }

    /** The text form: short name and label, e.g. {@code Q4_K_M (Q4_K - Medium)}; just {@code Q8_0} where the label says no more. */
    public String display() {
        return label.equals(shortName) ? shortName : shortName + " (" + label + ")";
    }

    @Override
    public String toString() {
        return shortName;
    }
}
