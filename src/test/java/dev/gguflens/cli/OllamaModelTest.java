package dev.gguflens.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gguflens.gguf.GgufFile;
import dev.gguflens.testing.ChildJvm;
import dev.gguflens.testing.CommandRun;
import dev.gguflens.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ollama:NAME[:TAG]} finds the model's GGUF blob in a store laid out as Ollama lays it out: manifests
 * under {@code manifests/HOST/NAMESPACE/MODEL/TAG}, content-addressed blobs under {@code blobs/sha256-HEX}.
 */
class OllamaModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOURCE = TestFiles.testdata("tiny-gqa-f16.gguf");
    private static final Path Q4KM = TestFiles.testdata("tiny-gqa-f16-MOSTLY_Q4_K_M.gguf");

    /** A store with three models: tiny:latest (F16), tiny:q4_k_m, and one from another registry. */
    private static Path store(Path tmp) throws Exception {
        Path root = tmp.resolve("models");
        model(root, "models.example/library/tiny/latest", SOURCE);
        model(root, "models.example/library/tiny/q4_k_m", Q4KM);
        model(root, "hf.co/someone/tiny-gguf/Q4_K_M", Q4KM);
        return root;
    }

    /** Writes a manifest as Ollama does (config, model, template and params layers) and the blobs it names. */
    static void model(Path root, String manifestPath, Path gguf) throws Exception {
        String model = blob(root, Files.readAllBytes(gguf));
        String template = blob(root, "{{ .Prompt }}".getBytes(StandardCharsets.UTF_8));
        String params = blob(root, "{\"stop\":[\"</s>\"]}".getBytes(StandardCharsets.UTF_8));
        String config = blob(root, "{\"model_format\":\"gguf\",\"model_family\":\"llama\"}".getBytes(StandardCharsets.UTF_8));
        String manifest = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"%s","size":45},
                 "layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"%s","size":%d},
                           {"mediaType":"application/vnd.ollama.image.template","digest":"%s","size":13},
                           {"mediaType":"application/vnd.ollama.image.params","digest":"%s","size":17}]}
                """.formatted(config, model, Files.size(gguf), template, params);
        Path path = root.resolve("manifests").resolve(manifestPath);
        Files.createDirectories(path.getParent());
        Files.writeString(path, manifest);
    }

    /** Stores {@code bytes} as Ollama stores a blob; returns its digest as a manifest names it. */
    private static String blob(Path root, byte[] bytes) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.createDirectories(root.resolve("blobs"));
        Files.write(root.resolve("blobs").resolve("sha256-" + hex), bytes);
        return "sha256:" + hex;
    }

    private static GgufFile open(Path root, String typed) throws FileFailure {
        return InputFiles.openOllama(Path.of(typed), new OllamaStore(root));
    }

    @Test
    void aNameFindsItsModelBlob(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        for (String[] c : new String[][] {
            {"ollama:tiny", "F16"}, {"ollama:tiny:latest", "F16"}, {"ollama:library/tiny", "F16"},
            {"ollama:models.example/library/tiny:latest", "F16"}, {"ollama:tiny:q4_k_m", "Q4_K"},
            {"ollama:hf.co/someone/tiny-gguf:Q4_K_M", "Q4_K"},
            // Ollama versions that lower-case the path, or not: a name matches in any case.
            {"ollama:Tiny:Q4_K_M", "Q4_K"}, {"ollama:hf.co/someone/tiny-gguf:q4_k_m", "Q4_K"},
        }) {
            try (GgufFile f = open(root, c[0])) {
                assertTrue(f.path().startsWith(root.resolve("blobs")), c[0] + ": " + f.path());
                assertTrue(f.path().getFileName().toString().matches("sha256-[0-9a-f]{64}"), f.path().toString());
                assertEquals(c[1], f.tensors().get(2).type().name(), c[0] + ": output.weight's type");
                assertEquals(21, f.tensors().size());
            }
        }
    }

    @Test
    void aNameWithoutHostUnderSeveralHostsAsksForOne(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        model(root, "mirror.example/library/tiny/latest", Q4KM);
        FileFailure e = assertThrows(FileFailure.class, () -> open(root, "ollama:tiny"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("tiny:latest is in the store under several hosts (mirror.example, models.example);"
                + " name one, e.g. ollama:mirror.example/library/tiny:latest"), e.getMessage());
        try (GgufFile f = open(root, "ollama:mirror.example/library/tiny")) {
            assertEquals("Q4_K", f.tensors().get(2).type().name(), "the host named picks its manifest");
        }
        try (GgufFile f = open(root, "ollama:tiny:q4_k_m")) {
            assertEquals("Q4_K", f.tensors().get(2).type().name(), "a tag under one host only needs no host");
        }
    }

    @Test
    void theStoreIsOllamaModelsElseTheHomeFolders() {
        assertEquals(Path.of("/srv/ollama"), storeRoot(Map.of("OLLAMA_MODELS", "/srv/ollama"), "/home/u"));
        assertEquals(Path.of("/home/u/.ollama/models"), storeRoot(Map.of(), "/home/u"));
        assertEquals(Path.of("/home/u/.ollama/models"), storeRoot(Map.of("OLLAMA_MODELS", ""), "/home/u"));
    }

    private static Path storeRoot(Map<String, String> env, String home) {
        return OllamaStore.of(env, home).root();
    }

    @Test
    void namesAreParsedAsOllamaParsesThem() {
        assertEquals(new OllamaStore.Name(null, "library", "llama3.2", "latest"), OllamaStore.parse("llama3.2"));
        assertEquals(new OllamaStore.Name(null, "library", "llama3.2", "1b"), OllamaStore.parse("llama3.2:1b"));
        assertEquals(new OllamaStore.Name(null, "me", "m", "q4"), OllamaStore.parse("me/m:q4"));
        assertEquals(new OllamaStore.Name("hf.co", "org", "repo-GGUF", "Q4_K_M"), OllamaStore.parse("hf.co/org/repo-GGUF:Q4_K_M"));
        assertEquals(new OllamaStore.Name("localhost:5000", "ns", "m", "latest"), OllamaStore.parse("localhost:5000/ns/m"));
        for (String bad : new String[] {"", ":tag", "m:", "a/b/c/d", "../m", "m:../x", "ns.x/m", "m/", "m:t:u"}) {
            assertNull(OllamaStore.parse(bad), bad);
        }
    }

    @Test
    void aMissingModelListsTheModelsThere(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        FileFailure e = assertThrows(FileFailure.class, () -> open(root, "ollama:llama3:8b"));
        assertEquals(ExitCode.IO, e.exitCode());
        assertEquals("no model llama3:8b in " + root + "; models there: hf.co/someone/tiny-gguf:Q4_K_M, tiny:latest, tiny:q4_k_m",
                e.getMessage());
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty.resolve("manifests"));
        e = assertThrows(FileFailure.class, () -> open(empty, "ollama:tiny"));
        assertEquals("no model tiny:latest in " + empty + "; it has no models (ollama pull tiny:latest)", e.getMessage());
        e = assertThrows(FileFailure.class, () -> open(tmp.resolve("nowhere"), "ollama:tiny"));
        assertEquals(ExitCode.IO, e.exitCode());
        assertTrue(e.getMessage().startsWith("no Ollama model store at "), e.getMessage());
    }

    @Test
    void aNameOllamaWouldRefuseIsAUsageError(@TempDir Path tmp) throws Exception {
        FileFailure e = assertThrows(FileFailure.class, () -> open(store(tmp), "ollama:../../etc/passwd"));
        assertEquals(ExitCode.USAGE, e.exitCode());
        assertTrue(e.getMessage().contains("is not an Ollama model name"), e.getMessage());
    }

    @Test
    void aBlobThatIsNotGgufIsRecognisedByItsMagic(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        // A manifest whose model layer is a safetensors-like blob: no name to go by, only the bytes.
        Path notGguf = tmp.resolve("weights.bin");
        Files.write(notGguf, "{\"__metadata__\":{}}".repeat(4).getBytes(StandardCharsets.UTF_8));
        model(root, "models.example/library/odd/latest", notGguf);
        FileFailure e = assertThrows(FileFailure.class, () -> open(root, "ollama:odd"));
        assertEquals(ExitCode.INVALID_GGUF, e.exitCode());
        assertTrue(e.getMessage().matches("its model blob .*sha256-[0-9a-f]{64}: not a GGUF file: the magic is '\\{\"__' .*"),
                e.getMessage());
    }

    @Test
    void brokenManifestsAndMissingBlobsAreOneLine(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        Path manifest = root.resolve("manifests/models.example/library/tiny/latest");
        String good = Files.readString(manifest);

        Files.writeString(manifest, good.substring(0, 80));
        FileFailure e = assertThrows(FileFailure.class, () -> open(root, "ollama:tiny"));
        assertEquals(ExitCode.INVALID_GGUF, e.exitCode());
        assertTrue(e.getMessage().startsWith("its manifest " + manifest + " is not valid JSON: "), e.getMessage());

        Files.writeString(manifest, good.replace("application/vnd.ollama.image.model", "application/vnd.ollama.image.adapter"));
        e = assertThrows(FileFailure.class, () -> open(root, "ollama:tiny"));
        assertEquals(ExitCode.INVALID_GGUF, e.exitCode());
        assertTrue(e.getMessage().endsWith("has no layer of type application/vnd.ollama.image.model, so it holds no GGUF model"),
                e.getMessage());

        Files.writeString(manifest, good.replaceFirst("\"sha256:[0-9a-f]{64}\",\"size\":2901760", "\"sha256:../../x\",\"size\":1"));
        e = assertThrows(FileFailure.class, () -> open(root, "ollama:tiny"));
        assertTrue(e.getMessage().contains("names the model blob 'sha256:../../x', which is not a sha256 digest"), e.getMessage());

        Files.writeString(manifest, good);
        String digest = OllamaStore.modelDigest(manifest);
        Files.delete(root.resolve("blobs").resolve(digest.replace(':', '-')));
        e = assertThrows(FileFailure.class, () -> open(root, "ollama:tiny"));
        assertEquals(ExitCode.IO, e.exitCode());
        assertTrue(e.getMessage().contains("is missing (an interrupted pull? ollama pull tiny:latest)"), e.getMessage());
    }

    /** The command line, with the store named by OLLAMA_MODELS (an environment variable: a child JVM). */
    @Test
    void commandsTakeAnOllamaNameWhereTheyTakeAFile(@TempDir Path tmp) throws Exception {
        Path root = store(tmp);
        Map<String, String> env = Map.of("OLLAMA_MODELS", root.toString());
        ChildJvm.Result r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), env, Main.class.getName(),
                List.of("inspect", "--json", "ollama:tiny:q4_k_m"));
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode viaOllama = JSON.readTree(String.join("\n", r.stdout()));
        JsonNode direct = JSON.readTree(CommandRun.of("inspect", "--json", Q4KM.toString()).out());
        assertEquals(direct.get("summary"), viaOllama.get("summary"));
        assertEquals(direct.get("metadata"), viaOllama.get("metadata"));
        assertEquals(direct.get("tensors"), viaOllama.get("tensors"));

        r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED"), env, Main.class.getName(), List.of("inspect", "ollama:llama3"));
        assertEquals(ExitCode.IO, r.exitCode(), r.toString());
        assertEquals(List.of("gguflens: ollama:llama3: no model llama3:latest in " + root
                + "; models there: hf.co/someone/tiny-gguf:Q4_K_M, tiny:latest, tiny:q4_k_m"), r.stderr());

        Path out = tmp.resolve("q8.gguf");
        r = ChildJvm.run(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"), env,
                Main.class.getName(), List.of("quantize", "ollama:tiny", out.toString(), "Q4_K_M"));
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(-1, Files.mismatch(Q4KM, out), "llama.cpp's own Q4_K_M of the model behind ollama:tiny");
    }
}
