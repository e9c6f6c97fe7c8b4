package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gguflens.gguf.GgmlType;
import dev.gguflens.testing.Archiving;
import dev.gguflens.testing.Archiving.Compression;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.Fixtures;
import dev.gguflens.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A GGUF file inside an archive is read where it is: its header from the stream (inspect, sizes), its tensor
 * data streamed in file order (--error), with the figures of the file itself.
 */
class ArchiveInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOURCE = TestFiles.testdata("tiny-gqa-f16.gguf");
    private static final Path Q4KM = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf");

    /** Every form the issue lists, each holding the shipped F16 model as {@code model.gguf}. */
    enum Form {
        ZIP("zip", "zip", true), TAR("tar", "tar", true), TAR_GZ("tar.gz", "tar.gz", true), TAR_XZ("tar.xz", "tar.xz", true),
        TAR_ZST("tar.zst", "tar.zst", true), GZ("gguf.gz", "gz", false), XZ("gguf.xz", "xz", false), ZST("gguf.zst", "zst", false);

        final String extension;
        final String format;
        /** Whether the container says the member's size (an archive does, a compressed stream does not). */
        final boolean sized;

        Form(String extension, String format, boolean sized) {
            this.extension = extension;
            this.format = format;
            this.sized = sized;
        }

        Path make(Path dir, Path gguf) throws Exception {
            Path out = dir.resolve("model." + extension);
            Path readme = dir.resolve("README.md");
            Files.writeString(readme, "# a model\n");
            Map<String, Path> members = new LinkedHashMap<>();
            members.put("README.md", readme);
            members.put("model.gguf", gguf);
            return switch (this) {
                case ZIP -> Archiving.zip(out, members);
                case TAR -> Archiving.tar(out, Compression.NONE, members);
                case TAR_GZ -> Archiving.tar(out, Compression.GZ, members);
                case TAR_XZ -> Archiving.tar(out, Compression.XZ, members);
                case TAR_ZST -> Archiving.tar(out, Compression.ZST, members);
                case GZ -> Archiving.compress(out, Compression.GZ, gguf);
                case XZ -> Archiving.compress(out, Compression.XZ, gguf);
                case ZST -> Archiving.compress(out, Compression.ZST, gguf);
            };
        }
    }

    private static JsonNode json(String... args) throws Exception {
        CommandRun run = CommandRun.of(args);
        assertEquals(0, run.exitCode(), run::toString);
        return JSON.readTree(run.out());
    }

    private static void assertOneLine(CommandRun run, int code, String message) {
        assertEquals(code, run.exitCode(), run::toString);
        assertEquals("", run.out());
        assertTrue(run.errLines().size() <= 2, run::toString); // picocli adds a "Try --help" line to usage errors
        assertEquals(message, run.errLines().getFirst());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theHeaderIsReadFromTheStreamAsFromTheFile(Form form, @TempDir Path tmp) throws Exception {
        Path archive = form.make(tmp, SOURCE);
        JsonNode got = json("inspect", "--json", archive.toString());
        JsonNode want = json("inspect", "--json", SOURCE.toString());
        assertEquals(archive.toString(), got.get("file").asText());
        JsonNode a = got.get("archive");
        assertEquals(form.format, a.get("format").asText());
        assertEquals("model.gguf", a.get("member").asText());
        assertEquals(form.sized ? Files.size(SOURCE) : null, a.get("memberBytes").isNull() ? null : a.get("memberBytes").asLong());
        // Without a size from the container, the size is the one the header lays out: ggml's file is exactly that.
        assertEquals(Files.size(SOURCE), got.get("fileBytes").asLong());
        ObjectNode g = got.deepCopy();
        g.remove(List.of("file", "archive"));
        ObjectNode w = want.deepCopy();
        w.remove("file");
        assertEquals(w, g);
    }

    @ParameterizedTest
    @EnumSource(value = Form.class, names = {"TAR_ZST", "GZ", "ZIP"})
    void sizesOfEveryFileTypeAreLlamaQuantizes(Form form, @TempDir Path tmp) throws Exception {
        JsonNode got = json("simulate", "--json", "--all", form.make(tmp, SOURCE).toString());
        int checked = 0;
        for (JsonNode r : got.get("results")) {
            if (SimulateRuns.MAIN_F16.get(r.get("ftype").asText()) instanceof Long bytes) {
                assertEquals(bytes.longValue(), r.get("fileBytes").asLong(), r.get("ftype").asText());
                checked++;
            }
        }
        assertTrue(checked >= 20, "checked " + checked);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void errorsStreamedFromTheArchiveAreThoseOfTheFile(Form form, @TempDir Path tmp) throws Exception {
        Path archive = form.make(tmp, SOURCE);
        String[] args = {"simulate", "--json", "--to", "Q4_K_M,IQ4_XS", "--error", "--threads", "2"};
        JsonNode fromArchive = json(concat(args, archive.toString()));
        JsonNode fromFile = json(concat(args, SOURCE.toString()));
        assertEquals(withoutSource(fromFile), withoutSource(fromArchive));
        assertTrue(fromArchive.get("results").get(0).get("error").get("sse").asDouble() > 0);
    }

    @ParameterizedTest
    @EnumSource(value = Form.class, names = {"TAR_GZ", "ZIP", "XZ"})
    void sampledErrorsStreamedFromTheArchiveAreThoseOfTheFile(Form form, @TempDir Path tmp) throws Exception {
        Path archive = form.make(tmp, SOURCE);
        String[] args = {"simulate", "--json", "--to", "Q4_K_M", "--sample", "0.25", "--seed", "7"};
        assertEquals(withoutSource(json(concat(args, SOURCE.toString()))), withoutSource(json(concat(args, archive.toString()))));
    }

    /** A quantized source (block types decoded from the stream chunk by chunk) and a small chunk size. */
    @Test
    void aQuantizedSourceStreamsAsItMaps(@TempDir Path tmp) throws Exception {
        Path archive = Form.TAR_ZST.make(tmp, Q4KM);
        String[] args = {"simulate", "--json", "--to", "Q8_0,Q6_K", "--error"};
        assertEquals(withoutSource(json(concat(args, Q4KM.toString()))), withoutSource(json(concat(args, archive.toString()))));
    }

    private static String[] concat(String[] a, String b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    private static JsonNode withoutSource(JsonNode run) {
        ObjectNode copy = run.deepCopy();
        copy.remove("source");
        return copy;
    }

    @ParameterizedTest
    @EnumSource(value = Form.class, names = {"ZIP", "TAR"})
    void severalGgufFilesAskWhich(Form form, @TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("models." + form.extension);
        Map<String, Path> members = new LinkedHashMap<>();
        members.put("f16/model.gguf", SOURCE);
        members.put("q4/model.gguf", Q4KM);
        if (form == Form.ZIP) {
            Archiving.zip(archive, members);
        } else {
            Archiving.tar(archive, Compression.NONE, members);
        }
        assertOneLine(CommandRun.of("inspect", archive.toString()), ExitCode.USAGE,
                "gguflens: " + archive + ": holds 2 GGUF files; choose one with --member NAME: f16/model.gguf, q4/model.gguf");
        JsonNode q4 = json("inspect", "--json", "--no-metadata", "--member", "q4/model.gguf", archive.toString());
        assertEquals("MOSTLY_Q4_K_M", q4.get("summary").get("fileType").asText());
        assertEquals("q4/model.gguf", q4.get("archive").get("member").asText());
        JsonNode sim = json("simulate", "--json", "--member", "f16/model.gguf", "--to", "Q4_K_M", archive.toString());
        assertEquals(905_280, sim.get("fileBytes").asLong());
        assertOneLine(CommandRun.of("inspect", "--member", "q8/model.gguf", archive.toString()), ExitCode.IO,
                "gguflens: " + archive + ": has no member q8/model.gguf (a " + form.format + " archive of 2 files)");
    }

    /** Finding a second GGUF file in a compressed tar would mean decompressing the first whole: the first is read. */
    @Test
    void aCompressedTarGivesItsFirstGgufFileUnlessOneIsNamed(@TempDir Path tmp) throws Exception {
        Map<String, Path> members = new LinkedHashMap<>();
        members.put("a.gguf", Q4KM);
        members.put("b.gguf", SOURCE);
        Path archive = Archiving.tar(tmp.resolve("models.tar.gz"), Compression.GZ, members);
        assertEquals("a.gguf", json("inspect", "--json", archive.toString()).get("archive").get("member").asText());
        assertEquals("MOSTLY_F16", json("inspect", "--json", "--member", "b.gguf", archive.toString())
                .get("summary").get("fileType").asText());
    }

    @Test
    void anArchiveWithoutGgufOrAMemberOnAPlainFileIsOneLine(@TempDir Path tmp) throws Exception {
        Path readme = tmp.resolve("README.md");
        Files.writeString(readme, "# nothing here\n");
        Path zip = Archiving.zip(tmp.resolve("docs.zip"), Map.of("README.md", readme));
        assertOneLine(CommandRun.of("inspect", zip.toString()), ExitCode.INVALID_GGUF,
                "gguflens: " + zip + ": holds no GGUF file (a zip archive of 1 file; a GGUF file starts with the bytes 'GGUF')");
        assertOneLine(CommandRun.of("inspect", "--member", "x.gguf", SOURCE.toString()), ExitCode.USAGE,
                "gguflens: " + SOURCE + ": --member applies to archives; this is not one (.zip, .tar, .tar.gz, .tar.xz, .tar.zst, .gz, .xz, .zst)");
        Path gz = Archiving.compress(tmp.resolve("m.gguf.gz"), Compression.GZ, SOURCE);
        assertOneLine(CommandRun.of("inspect", "--member", "other.gguf", gz.toString()), ExitCode.USAGE,
                "gguflens: " + gz + ": is one gz-compressed file (m.gguf), not an archive of several: --member does not apply");
        Path notGguf = Archiving.compress(tmp.resolve("notes.txt.xz"), Compression.XZ, readme);
        CommandRun run = CommandRun.of("inspect", notGguf.toString());
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("gguflens: " + notGguf + ": notes.txt: not a GGUF file: the magic is '# no'"), run.err());
    }

    /**
     * The header is all that inspect and sizes read: a .gz cut in the middle of the tensor data lists and
     * plans as the whole file, and only measuring the error, which reads the data, finds the cut.
     */
    @Test
    void onlyTheHeaderIsReadForListingAndSizes(@TempDir Path tmp) throws Exception {
        Path whole = Archiving.compress(tmp.resolve("whole.gguf.gz"), Compression.GZ, SOURCE);
        byte[] b = Files.readAllBytes(whole);
        Path cut = tmp.resolve("model.gguf.gz");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length / 2));

        assertEquals(21, json("inspect", "--json", cut.toString()).get("tensors").size());
        assertEquals(905_280, json("simulate", "--json", "--to", "Q4_K_M", cut.toString()).get("fileBytes").asLong());
        CommandRun run = CommandRun.of("simulate", "--to", "Q4_K_M", "--error", cut.toString());
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertEquals(1, run.errLines().stream().filter(l -> l.startsWith("gguflens: ")).count(), run::toString);
        assertTrue(run.err().contains("gguflens: " + cut + ": cannot read the archive: "), run.err());
        assertFalse(run.err().contains("\tat "), run.err());

        // A tar whose member is cut: the stream ends inside a tensor, said as such.
        Path tar = Archiving.tar(tmp.resolve("m.tar"), Compression.NONE, Map.of("model.gguf", SOURCE));
        byte[] t = Files.readAllBytes(tar);
        Path cutTar = tmp.resolve("cut.tar");
        Files.write(cutTar, java.util.Arrays.copyOf(t, 1_500_000));
        run = CommandRun.of("simulate", "--to", "Q4_K_M", "--error", cutTar.toString());
        assertEquals(ExitCode.INVALID_GGUF, run.exitCode(), run::toString);
        assertTrue(run.err().contains("cannot read the archive: "), run.err());
    }

    /** A header larger than the first read (a long string value) is read by reading more of the stream. */
    @Test
    void aHeaderLargerThanTheFirstReadIsReadWhole(@TempDir Path tmp) throws Exception {
        String big = "x".repeat(3_000_000);
        Path gguf = Fixtures.write(tmp.resolve("big-header.gguf"),
                List.of(Fixtures.str("general.architecture", "llama"), Fixtures.str("tokenizer.chat_template", big)),
                List.of(Fixtures.tensor("t.weight", GgmlType.F32, 32, 2)));
        Path archive = Archiving.tar(tmp.resolve("big.tar.zst"), Compression.ZST, Map.of("big-header.gguf", gguf));
        JsonNode got = json("inspect", "--json", archive.toString());
        assertEquals(big.length(), got.get("metadata").get(1).get("value").asText().length());
        assertEquals("t.weight", got.get("tensors").get(0).get("name").asText());
        assertEquals(Files.size(gguf), got.get("fileBytes").asLong());
    }

    /** A part of a split model read alone would pass for the whole model: refused. */
    @Test
    void aPartOfASplitModelInAnArchiveIsRefused(@TempDir Path tmp) throws Exception {
        List<Path> parts = dev.gguflens.testing.SplitSets.write(SOURCE, tmp, "m", 10, 11);
        Path archive = Archiving.tar(tmp.resolve("split.tar"), Compression.NONE, Map.of("m-00001-of-00002.gguf", parts.getFirst()));
        assertOneLine(CommandRun.of("inspect", archive.toString()), ExitCode.INVALID_GGUF, "gguflens: " + archive
                + ": m-00001-of-00002.gguf is one part of a model split in 2 (split.count): gguflens reads a split model from"
                + " its files, not from an archive; extract the parts");
    }

    @Test
    void quantizeRefusesAnArchive(@TempDir Path tmp) throws Exception {
        Path archive = Form.TAR_ZST.make(tmp, SOURCE);
        CommandRun run = CommandRun.of("quantize", archive.toString(), tmp.resolve("out.gguf").toString(), "Q4_K_M");
        assertEquals(ExitCode.USAGE, run.exitCode(), run::toString);
        assertTrue(run.err().contains("is an archive: quantize reads its input's tensors in llama-quantize's order"), run.err());
        assertFalse(Files.exists(tmp.resolve("out.gguf")));
    }
}
