package dev.gguflens.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gguflens.gguf.GgufFile;
import dev.gguflens.gguf.GgufReader;
import dev.gguflens.gguf.LlamaFileType;
import dev.gguflens.plan.Planner;
import dev.gguflens.plan.QuantizeOptions;
import dev.gguflens.testing.Archiving;
import dev.gguflens.testing.EngineRun;
import dev.gguflens.testing.GeneratedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap use does not grow with the model: a generated F16 model (real data, not sparse) many times the
 * heap is simulated and quantized to Q4_K_M by JVMs of their own with a small {@code -Xmx}.
 *
 * The same model is then read from a tar archive, its tensor data streamed.
 *
 * <p>By default about 570 MB of model in 64 MB of heap. The issue's bound (2 GB and more in 256 MB) is
 * the same test with {@code -Dgguflens.memtest.mb=2100 -Dgguflens.memtest.heap=256m}.
 */
class MemoryBoundTest {
    private static final long MODEL_MB = Long.getLong("gguflens.memtest.mb", 512);
    private static final String HEAP = System.getProperty("gguflens.memtest.heap", "64m");

    private static String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        System.out.print(out.replaceAll("WARNING: Using incubator modules: jdk.incubator.vector\\R", ""));
        return out;
    }

    @Test
    void aModelManyTimesTheHeapIsSimulatedAndQuantized(@TempDir Path tmp) throws Exception {
        // 131 M parameters of embeddings and 51.4 M per layer, 2 bytes each.
        int layers = (int) Math.max(1, Math.ceil((MODEL_MB * 1e6 / 2 - 131e6) / 51.4e6));
        GeneratedModel m = EngineRun.model(layers);
        Path model = m.write(tmp.resolve("model-f16.gguf"));
        long bytes = Files.size(model);
        assertTrue(bytes >= MODEL_MB * 1_000_000L, bytes + " bytes");
        System.out.printf("model: %d layers, %d parameters, %d bytes, heap -Xmx%s%n", layers, m.parameters(), bytes, HEAP);

        String sim = run(tmp, EngineRun.class.getName(), "simulate", model.toString(), "Q4_K_M", "2");
        assertTrue(sim.contains("simulate model-f16.gguf Q4_K_M, 2 threads: " + (3 + 9 * layers) + " tensors"), sim);

        Path out = tmp.resolve("model-q4_k_m.gguf");
        String q = run(tmp, "dev.gguflens.cli.Main", "quantize", "--threads", "2", model.toString(), out.toString(), "Q4_K_M");
        assertTrue(q.contains(out + ": Q4_K_M (Q4_K - Medium)"), q);
        try (GgufFile f = GgufReader.open(model)) {
            assertEquals(Planner.plan(f, QuantizeOptions.of(LlamaFileType.MOSTLY_Q4_K_M)).fileBytes(), Files.size(out));
        }
        try (GgufFile written = GgufReader.open(out)) {
            assertEquals(3 + 9 * layers, written.tensors().size());
        }
        Files.delete(out);

        // The same model inside an archive: its tensor data streamed in file order, in the same small heap.
        Path tar = Archiving.tar(tmp.resolve("model.tar"), Archiving.Compression.NONE, java.util.Map.of("model-f16.gguf", model));
        Files.delete(model);
        String streamed = run(tmp, "dev.gguflens.cli.Main", "simulate", "--to", "Q4_K_M", "--error", "--threads", "2",
                "--no-tensors", tar.toString());
        assertTrue(streamed.contains("relative RMSE"), streamed);
    }
}
