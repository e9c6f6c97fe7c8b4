package dev.gguflens.gguf;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens a GGUF file that may be one part of a model split by llama.cpp's gguf-split, and then the
 * whole model as one {@link GgufFile}.
 *
 * <p>gguf-split writes {@code PREFIX-00001-of-00003.gguf} and so on (the part number is 1-based in the
 * name, {@code split.no} 0-based in the file), every part a complete GGUF file with the keys
 * {@code split.no} (UINT16), {@code split.count} (UINT16) and {@code split.tensors.count} (INT32, the
 * tensors of all parts), the first part alone with the model's metadata (reference/gguf-format.md,
 * "split.*"). llama.cpp's loader takes a file as split when {@code split.count} is over 1, derives the
 * other parts' names from the name given (which must end in that part's {@code -%05d-of-%05d.gguf}),
 * checks each part's {@code split.no} and the total tensor count. Unlike llama.cpp, any part may be
 * named; and beyond what llama.cpp checks, every part must agree on the count, and no file of the
 * same name pattern may be left over (a part of another split of the model, or one numbered past the
 * count), so a set put together wrongly is refused rather than read as a different model.
 */
public final class SplitModel {
    static final String SPLIT_NO = "split.no";
    static final String SPLIT_COUNT = "split.count";
    static final String SPLIT_TENSORS = "split.tensors.count";
    private static final Pattern ANY_PART = Pattern.compile("-(\\d{5})-of-(\\d{5})\\.gguf");

    private SplitModel() {
    }

    /**
     * Opens {@code named}; when it is a part of a split model (its {@code split.count} is over 1), opens
     * and checks every part and returns the model as one file.
     *
     * @throws SplitSetException   when the parts do not form one model (missing, extra, invalid or mismatched)
     * @throws GgufFormatException when {@code named} itself is not a valid GGUF file
     * @throws IOException         when a file cannot be read
     */
    public static GgufFile open(Path named) throws IOException, GgufFormatException {
        GgufFile f = GgufReader.open(named);
        try {
            OptionalInt count = u16(f, named, SPLIT_COUNT);
            if (count.isEmpty() || count.getAsInt() <= 1) {
                return f; // not split (gguf-split's merge leaves split.count 0; one part is a whole model)
            }
            return openSet(named, f, count.getAsInt());
        } catch (IOException | GgufFormatException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /** The name ending of part {@code no} (0-based) of {@code count}, as llama_split_path writes it. */
    static String suffix(int no, int count) {
        return String.format(Locale.ROOT, "-%05d-of-%05d.gguf", no + 1, count);
    }

    private static GgufFile openSet(Path named, GgufFile namedFile, int count) throws IOException, GgufFormatException {
        int no = required(u16(namedFile, named, SPLIT_NO), named, SPLIT_NO);
        if (no >= count) {
            throw new SplitSetException(named, "split.no " + no + " is not a part of a model of " + count
                    + " parts (split.count): it must be below the count", offset(namedFile, SPLIT_NO));
        }
        String name = named.getFileName().toString();
        String suffix = suffix(no, count);
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            throw new SplitSetException(named, "is part " + (no + 1) + " of a model split in " + count + " (split.no " + no
                    + ", split.count " + count + ") but its name does not end in '" + suffix
                    + "' as gguf-split names the parts, so the other parts cannot be found", -1);
        }
        String prefix = name.substring(0, name.length() - suffix.length());
        List<Path> paths = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            paths.add(i == no ? named : named.resolveSibling(prefix + suffix(i, count)));
        }

        List<GgufFile> parts = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                parts.add(i == no ? namedFile : openPart(paths.get(i), i, count));
            }
            checkParts(parts, paths, count);
            checkNoExtraParts(named, prefix, paths, count);
            return GgufFile.joined(parts, warnings(parts, paths));
        } catch (IOException | GgufFormatException | RuntimeException e) {
            for (GgufFile p : parts) {
                if (p != namedFile) {
                    p.close();
                }
            }
            throw e;
        }
    }

    private static GgufFile openPart(Path path, int i, int count) throws IOException, GgufFormatException {
        if (!Files.exists(path)) {
            throw new SplitSetException(path, "part " + (i + 1) + " of " + count + " of the split model is missing", -1);
        }
        try {
            return GgufReader.open(path);
        } catch (GgufFormatException e) {
            throw new SplitSetException(path, "part " + (i + 1) + " of " + count + " of the split model: " + e.getMessage(), -1);
        }
    }

    /** Every part's split keys (types and values), byte order, and tensor names against the others. */
    private static void checkParts(List<GgufFile> parts, List<Path> paths, int count) throws GgufFormatException {
        GgufFile first = parts.getFirst();
        Path firstPath = paths.getFirst();
        int expectedTensors = required(i32(first, firstPath, SPLIT_TENSORS), firstPath, SPLIT_TENSORS);
        Map<String, Integer> names = new HashMap<>();
        int found = 0;
        for (int i = 0; i < count; i++) {
            GgufFile p = parts.get(i);
            Path path = paths.get(i);
            String which = "part " + (i + 1) + " of " + count;
            int no = required(u16(p, path, SPLIT_NO), path, SPLIT_NO);
            if (no != i) {
                throw new SplitSetException(path, "is " + which + " by its name but has split.no " + no + " (expected " + i
                        + ": split.no counts from 0)", offset(p, SPLIT_NO));
            }
            int c = required(u16(p, path, SPLIT_COUNT), path, SPLIT_COUNT);
            if (c != count) {
                throw new SplitSetException(path, which + " has split.count " + c + " but the set has " + count
                        + " parts (the names and the other parts say so)", offset(p, SPLIT_COUNT));
            }
            OptionalInt tensors = i32(p, path, SPLIT_TENSORS);
            if (tensors.isPresent() && tensors.getAsInt() != expectedTensors) {
                throw new SplitSetException(path, which + " has split.tensors.count " + tensors.getAsInt() + " but part 1 has "
                        + expectedTensors, offset(p, SPLIT_TENSORS));
            }
            if (p.byteOrder() != first.byteOrder()) {
                throw new SplitSetException(path, which + " is " + order(p) + " but part 1 is " + order(first), -1);
            }
            for (TensorInfo t : p.tensors()) {
                Integer earlier = names.putIfAbsent(t.name(), i);
                if (earlier != null) {
                    throw new SplitSetException(path, which + " holds tensor " + GgufReader.quote(t.name())
                            + ", which part " + (earlier + 1) + " holds too", t.infoOffset());
                }
            }
            found += p.tensors().size();
        }
        if (found != expectedTensors) {
            throw new SplitSetException(firstPath, "split.tensors.count says the model has " + expectedTensors + " tensors but its "
                    + count + " parts hold " + found, offset(first, SPLIT_TENSORS));
        }
    }

    /** A file named like a part of this model that is not one of its parts: a leftover of another split, or past the count. */
    private static void checkNoExtraParts(Path named, String prefix, List<Path> paths, int count) throws IOException, GgufFormatException {
        Path dir = named.toAbsolutePath().getParent();
        Set<String> expected = new HashSet<>();
        for (Path p : paths) {
            expected.add(p.getFileName().toString());
        }
        List<String> extra = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix) && !expected.contains(n)) {
                    Matcher m = ANY_PART.matcher(n.substring(prefix.length()));
                    if (m.matches()) {
                        extra.add(n);
                    }
                }
            }
        }
        if (!extra.isEmpty()) {
            extra.sort(null);
            Path first = named.resolveSibling(extra.getFirst());
            throw new SplitSetException(first, "is named as a part of the same model but is not one of its " + count
                    + " parts (split.count)" + (extra.size() > 1 ? ", nor are " + String.join(", ", extra.subList(1, extra.size())) : "")
                    + ": move " + (extra.size() > 1 ? "them" : "it") + " away or complete the set it belongs to", -1);
        }
    }

    private static List<String> warnings(List<GgufFile> parts, List<Path> paths) {
        List<String> all = new ArrayList<>(parts.getFirst().warnings());
        for (int i = 1; i < parts.size(); i++) {
            for (String w : parts.get(i).warnings()) {
                all.add("part " + (i + 1) + " (" + paths.get(i).getFileName() + "): " + w);
            }
        }
        return all;
    }

    private static String order(GgufFile f) {
        return f.byteOrder() == ByteOrder.BIG_ENDIAN ? "big-endian" : "little-endian";
    }

    private static int required(OptionalInt v, Path path, String key) throws SplitSetException {
        if (v.isEmpty()) {
            throw new SplitSetException(path, "is a part of a split model (split.count) but has no " + key
                    + " key, which gguf-split writes in every part", -1);
        }
        return v.getAsInt();
    }

    /** A UINT16 key as llama.cpp reads it (another integer type is refused, as its loader refuses it). */
    private static OptionalInt u16(GgufFile f, Path path, String key) throws SplitSetException {
        return typed(f, path, key, GgufValueType.UINT16);
    }

    private static OptionalInt i32(GgufFile f, Path path, String key) throws SplitSetException {
        return typed(f, path, key, GgufValueType.INT32);
    }

    private static OptionalInt typed(GgufFile f, Path path, String key, GgufValueType type) throws SplitSetException {
        MetadataEntry e = f.entry(key).orElse(null);
        if (e == null) {
            return OptionalInt.empty();
        }
        if (!(e.value() instanceof GgufValue.Int v) || v.type() != type) {
            throw new SplitSetException(path, "key '" + key + "' must be a " + type + ", as gguf-split writes it and llama.cpp "
                    + "reads it, but is " + (e.value() instanceof GgufArray a ? "an ARRAY of " + a.elementType() : "a " + e.value().type()),
                    e.offset());
        }
        return OptionalInt.of((int) v.bits());
    }

    private static long offset(GgufFile f, String key) {
        return f.entry(key).map(MetadataEntry::offset).orElse(-1L);
    }
}
