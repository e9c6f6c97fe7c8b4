package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gguflens.gguf.GgufValue;
import dev.gguflens.gguf.GgufValueType;
import dev.gguflens.gguf.MetadataEntry;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.SplitSets;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A model split by gguf-split, named by any of its parts, is read as the one model it was split from; a set
 * that is not whole or does not fit together is refused with exit code 3 and one line naming the part.
 */
class SplitModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOURCE = TestFiles.testdata("tiny-gqa-f16.gguf");
    /** llama.cpp's own Q4_K_M of the source. */
    private static final Path LLAMA_Q4_K_M = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf");
    /** 21 tensors in three uneven parts, as gguf-split --split-max-tensors would not cut them but --split-max-size might. */
    private static final int[] PARTS = {2, 12, 7};

    private static List<Path> split(Path dir) throws Exception {
        return SplitSets.write(SOURCE, dir, "tiny", PARTS);
    }

    private static JsonNode json(String... args) throws Exception {
        CommandRun run = CommandRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        return JSON.readTree(run.out());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void anyPartListsAsGgmlListsTheUnsplitFile(int named, @TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        JsonNode got = json("inspect", "--json", parts.get(named).toString());
        JsonNode want = JSON.readTree(TestFiles.testdata("listings/tiny-gqa-f16.gguf.json").toFile());

        // Metadata: part 1's, which is the source's followed by the three split keys gguf-split adds.
        JsonNode kvs = want.get("kv");
        JsonNode md = got.get("metadata");
        assertEquals(kvs.size() + 3, md.size());
        for (int i = 0; i < kvs.size(); i++) {
            assertEquals(kvs.get(i).get("key").asText(), md.get(i).get("key").asText());
        }
        assertEquals("split.no UINT16 0", keyLine(md.get(kvs.size())));
        assertEquals("split.tensors.count INT32 21", keyLine(md.get(kvs.size() + 1)));
        assertEquals("split.count UINT16 3", keyLine(md.get(kvs.size() + 2)));

        // Tensors: every one of the source's, in its order, each with its part and its offset in that part's data.
        JsonNode tensors = got.get("tensors");
        assertEquals(want.get("tensors").size(), tensors.size());
        int i = 0;
        for (int p = 0; p < PARTS.length; p++) {
            long offset = 0;
            for (int k = 0; k < PARTS[p]; k++, i++) {
                JsonNode w = want.get("tensors").get(i);
                JsonNode g = tensors.get(i);
                assertEquals(i, g.get("index").asInt());
                assertEquals(w.get("name").asText(), g.get("name").asText());
                assertEquals(w.get("ne"), g.get("shape"));
                assertEquals(w.get("type").asText().toUpperCase(Locale.ROOT), g.get("type").asText());
                assertEquals(w.get("size").asLong(), g.get("bytes").asLong());
                assertEquals(p + 1, g.get("part").asInt(), g.toString());
                assertEquals(offset, g.get("offset").asLong(), g.toString());
                offset += (w.get("size").asLong() + 31) / 32 * 32;
            }
        }

        // The summary is the unsplit file's: same facts, same totals.
        JsonNode unsplit = json("inspect", "--json", SOURCE.toString());
        assertEquals(unsplit.get("summary"), got.get("summary"));
        assertEquals(unsplit.get("types"), got.get("types"));
        assertEquals(0, got.get("warnings").size());

        // The files: all of them, part 1 first; the size on disk is theirs together.
        assertEquals(parts.getFirst().toString(), got.get("file").asText());
        long total = 0;
        for (int p = 0; p < parts.size(); p++) {
            JsonNode part = got.get("parts").get(p);
            assertEquals(parts.get(p).toString(), part.get("file").asText());
            assertEquals(Files.size(parts.get(p)), part.get("fileBytes").asLong());
            assertEquals(PARTS[p], part.get("tensorCount").asInt());
            total += Files.size(parts.get(p));
        }
        assertEquals(3, got.get("parts").size());
        assertEquals(total, got.get("fileBytes").asLong());
        assertFalse(unsplit.has("parts"), "a model in one file has no parts list");
        assertFalse(unsplit.get("tensors").get(0).has("part"));
    }

    private static String keyLine(JsonNode entry) {
        return entry.get("key").asText() + " " + entry.get("type").asText() + " " + entry.get("value").asText();
    }

    @Test
    void theTextListingSaysItIsSplitAndWhereEachTensorIs(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        CommandRun run = CommandRun.of("inspect", "--no-metadata", parts.get(1).toString());
        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.outLines().stream().anyMatch(l -> l.matches("Split:\\s+3 parts \\(gguf-split\\).*")), run.out());
        assertTrue(run.out().contains("offsets from the data section of the tensor's part"), run.out());
        String last = run.outLines().stream().filter(l -> l.contains("blk.1.ffn_down.weight")).findFirst().orElseThrow();
        assertTrue(last.matches(".*\\s3$"), "the last tensor is in part 3: " + last);
    }

    @Test
    void sizesOfEveryFileTypeAreLlamaQuantizesOfTheUnsplitFile(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        JsonNode got = json("simulate", "--json", "--all", parts.get(2).toString());
        int checked = 0;
        for (JsonNode r : got.get("results")) {
            Object want = SimulateRuns.MAIN_F16.get(r.get("ftype").asText());
            if (want instanceof Long bytes) {
                assertEquals("ok", r.get("status").asText(), r.get("ftype").asText());
                assertEquals(bytes.longValue(), r.get("fileBytes").asLong(), r.get("ftype").asText());
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked + " file types");
        long total = 0;
        for (Path p : parts) {
            total += Files.size(p);
        }
        assertEquals(total, got.get("sourceFileBytes").asLong(), "the source is all the parts");
    }

    @Test
    void errorsAreThoseOfTheUnsplitFile(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        JsonNode fromSplit = json("simulate", "--json", "--to", "Q4_K_M,Q6_K,IQ4_XS", "--error", parts.get(1).toString());
        JsonNode fromFile = json("simulate", "--json", "--to", "Q4_K_M,Q6_K,IQ4_XS", "--error", SOURCE.toString());
        assertEquals(withoutSource(fromFile), withoutSource(fromSplit));
        assertTrue(fromSplit.get("results").get(0).get("error").get("sse").asDouble() > 0, fromSplit.toString());
    }

    @Test
    void sampledErrorsAreThoseOfTheUnsplitFile(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        JsonNode fromSplit = json("simulate", "--json", "--to", "Q4_K_M", "--sample", "0.3", parts.get(0).toString());
        JsonNode fromFile = json("simulate", "--json", "--to", "Q4_K_M", "--sample", "0.3", SOURCE.toString());
        assertEquals(withoutSource(fromFile), withoutSource(fromSplit));
    }

    /** The source's file name and its size on disk, the only things that differ between the two forms. */
    private static JsonNode withoutSource(JsonNode run) {
        ObjectNode copy = run.deepCopy();
        copy.remove(List.of("source", "sourceFileBytes"));
        strip(copy, "changeBytes");
        strip(copy, "changePercent");
        return copy;
    }

    private static void strip(JsonNode node, String field) {
        if (node instanceof ObjectNode o) {
            o.remove(field);
        }
        for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
            strip(it.next(), field);
        }
    }

    /** llama-quantize removes the split keys and writes one file: the unsplit file's output, byte for byte. */
    @Test
    void quantizeWritesLlamaQuantizesFileFromAnyPart(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        Path out = tmp.resolve("out.gguf");
        CommandRun run = CommandRun.of("quantize", parts.get(2).toString(), out.toString(), "Q4_K_M");
        assertEquals(0, run.exitCode(), run::toString);
        assertEquals(-1, Files.mismatch(LLAMA_Q4_K_M, out), "the first differing byte");
    }

    @Test
    void quantizeRefusesToWriteOverAPartOfItsInput(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        byte[] before = Files.readAllBytes(parts.get(1));
        CommandRun run = CommandRun.of("quantize", "--force", parts.get(0).toString(), parts.get(1).toString(), "Q8_0");
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("is a part of the input model"), run.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(parts.get(1))));
    }

    @Test
    void aSetOfOnePartIsAnOrdinaryFile(@TempDir Path tmp) throws Exception {
        Path only = SplitSets.write(SOURCE, tmp, "one", 21).getFirst();
        JsonNode got = json("inspect", "--json", only.toString());
        assertFalse(got.has("parts"));
        assertEquals(21, got.get("tensors").size());
    }

    // ---- sets that are not one model: exit 3, one line, naming the part at fault ----

    private static void assertRefused(CommandRun run, Path file, String... parts) {
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertEquals(1, run.errLines().size(), run::toString);
        assertTrue(run.err().startsWith("gguflens: " + file + ": "), run.err());
        for (String p : parts) {
            assertTrue(run.err().contains(p), "'" + p + "' in " + run.err());
        }
        assertFalse(run.err().contains("Exception"), run.err());
    }

    @Test
    void aMissingPartIsNamed(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        Files.delete(parts.get(2));
        for (Path named : parts.subList(0, 2)) {
            for (String command : new String[] {"inspect", "simulate"}) {
                CommandRun run = command.equals("inspect") ? CommandRun.of("inspect", named.toString())
                        : CommandRun.of("simulate", "--to", "Q4_K_M", named.toString());
                assertRefused(run, parts.get(2), "part 3 of 3 of the split model is missing");
            }
        }
        Files.delete(parts.get(0));
        assertRefused(CommandRun.of("inspect", parts.get(1).toString()), parts.get(0), "part 1 of 3 of the split model is missing");
    }

    @Test
    void anExtraPartIsNamed(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        Path extra = tmp.resolve("tiny-00004-of-00003.gguf");
        Files.copy(parts.get(2), extra);
        assertRefused(CommandRun.of("inspect", parts.get(0).toString()), extra, "not one of its 3 parts");
        Files.delete(extra);
        // A leftover of another split of the same model.
        Path other = tmp.resolve("tiny-00002-of-00004.gguf");
        Files.copy(parts.get(1), other);
        assertRefused(CommandRun.of("inspect", parts.get(2).toString()), other, "not one of its 3 parts");
    }

    @Test
    void aPartWithAnotherCountIsNamed(@TempDir Path tmp) throws Exception {
        List<Path> parts = write(tmp, (i, md) -> i == 1 ? replace(md, "split.count", new GgufValue.Int(GgufValueType.UINT16, 4)) : md);
        assertRefused(CommandRun.of("inspect", parts.get(0).toString()), parts.get(1), "part 2 of 3 has split.count 4");
    }

    @Test
    void aPartWithAnotherNumberIsNamed(@TempDir Path tmp) throws Exception {
        List<Path> parts = write(tmp, (i, md) -> i == 2 ? replace(md, "split.no", new GgufValue.Int(GgufValueType.UINT16, 1)) : md);
        assertRefused(CommandRun.of("inspect", parts.get(0).toString()), parts.get(2), "is part 3 of 3 by its name but has split.no 1");
    }

    @Test
    void aTensorCountThatDoesNotAddUpIsRefused(@TempDir Path tmp) throws Exception {
        List<Path> parts = write(tmp, (i, md) -> replace(md, "split.tensors.count", GgufValue.Int.i32(22)));
        assertRefused(CommandRun.of("inspect", parts.get(1).toString()), parts.get(0),
                "split.tensors.count says the model has 22 tensors but its 3 parts hold 21");
    }

    @Test
    void splitKeysOfAnotherTypeAreRefusedAsLlamaCppRefusesThem(@TempDir Path tmp) throws Exception {
        List<Path> parts = write(tmp, (i, md) -> i == 2 ? replace(md, "split.count", GgufValue.Int.u32(3)) : md);
        assertRefused(CommandRun.of("inspect", parts.get(2).toString()), parts.get(2),
                "key 'split.count' must be a UINT16", "but is a UINT32");
        List<Path> other = write(tmp.resolve("b"), (i, md) -> i == 0 ? replace(md, "split.tensors.count", GgufValue.Int.u32(21)) : md);
        assertRefused(CommandRun.of("inspect", other.get(1).toString()), other.get(0), "key 'split.tensors.count' must be a INT32");
    }

    @Test
    void aPartWhoseNameDoesNotSayWhichIsRefused(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        Path renamed = tmp.resolve("renamed.gguf");
        Files.copy(parts.get(1), renamed);
        assertRefused(CommandRun.of("inspect", renamed.toString()), renamed,
                "is part 2 of a model split in 3", "does not end in '-00002-of-00003.gguf'");
    }

    @Test
    void anInvalidPartIsNamedWithItsProblem(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        byte[] b = Files.readAllBytes(parts.get(1));
        Files.write(parts.get(1), java.util.Arrays.copyOf(b, b.length - 100));
        assertRefused(CommandRun.of("inspect", parts.get(0).toString()), parts.get(1), "part 2 of 3 of the split model: tensor ");
    }

    @Test
    void aTensorInTwoPartsIsRefused(@TempDir Path tmp) throws Exception {
        List<Path> parts = split(tmp);
        // Part 3 replaced by a set whose part 3 repeats part 2's tensors: same keys, same count, a duplicated name.
        Path other = tmp.resolve("other");
        Files.createDirectory(other);
        List<Path> shifted = SplitSets.write(SOURCE, other, "tiny", 2, 5, 14);
        // Parts 1 and 2 of the first split (2 + 12 tensors) with part 3 of the second (the last 14): 7 tensors twice.
        Files.copy(shifted.get(2), parts.get(2), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertRefused(CommandRun.of("inspect", parts.get(0).toString()), parts.get(2), "part 3 of 3 holds tensor 'blk.0.attn_output.weight', which part 2 holds too");
    }

    private static List<Path> write(Path dir, BiFunction<Integer, List<MetadataEntry>, List<MetadataEntry>> edit) throws Exception {
        Files.createDirectories(dir);
        return SplitSets.write(SOURCE, dir, "tiny", edit, PARTS);
    }

    private static List<MetadataEntry> replace(List<MetadataEntry> md, String key, GgufValue value) {
        List<MetadataEntry> out = new ArrayList<>();
        for (MetadataEntry e : md) {
            out.add(e.key().equals(key) ? new MetadataEntry(key, value) : e);
        }
        return out;
    }
}
